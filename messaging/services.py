"""Writes of the WhatsApp channel that staff and the API trigger."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from messaging.channel import jobs, outbox
from messaging.exceptions import InvalidOutboundMessage, MessageNotFailed, WindowClosed
from messaging.models import Contact, InboundMessage, OutboundMessage
from raffles.audit import EventKind
from raffles.services import log_event
from raffles.services.actors import ActorLike


def set_bot_paused(
    contact: Contact,
    paused: bool,
    by: ActorLike = None,
    *,
    wants_agent: bool | None = None,
    reason: str = "",
) -> Contact:
    """Pause (a person answers) or resume the bot for one contact. Idempotent; a change is
    recorded in the audit log with who made it (and `reason`, when given). `wants_agent`:
    also mark (or clear) that the contact asked for a person."""
    fields: dict[str, object] = {"bot_paused": paused, "updated_at": timezone.now()}
    if wants_agent is not None:
        fields["wants_agent"] = wants_agent
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk).exclude(bot_paused=paused).update(**fields)
        contact = Contact.objects.select_related("buyer").get(pk=contact.pk)
        if changed:
            details: dict[str, Any] = {"reason": reason} if reason else {}
            log_event(
                kind=EventKind.BOT_PAUSED if paused else "bot_resumed",
                by=by,
                contact=contact.pk,
                wa_id=contact.wa_id,
                **details,
            )
    return contact


MAX_STAFF_REPLY = 4096


def send_staff_reply(contact: Contact, text: str, *, by: ActorLike = None) -> list[OutboundMessage]:
    """A person's reply to a buyer, queued through the outbox. Only inside the 24-hour
    customer-service window (Meta refuses free-form messages outside it); audited."""
    text = (text or "").strip()
    if not text:
        raise InvalidOutboundMessage("Type a reply.")
    if len(text) > MAX_STAFF_REPLY:
        raise InvalidOutboundMessage(f"A reply can have at most {MAX_STAFF_REPLY} characters.")
    with transaction.atomic():
        contact = Contact.objects.select_related("buyer").get(pk=contact.pk)
        if not contact.window_open:
            raise WindowClosed()
        rows = outbox.queue_text(contact, text)
        log_event(kind=EventKind.STAFF_REPLY, by=by, contact=contact.pk, chars=len(text))
    return rows


def parked_inbound_messages() -> QuerySet[InboundMessage]:
    """Inbound messages parked as failed (handling was deterministically broken, or transient
    errors went on past the limit), most recent first."""
    return (
        InboundMessage.objects.filter(status=InboundMessage.Status.FAILED)
        .select_related("contact")
        .order_by("-processed_at", "-id")
    )


def retry_inbound_message(
    message_id: int, *, contact_id: int | None = None, by: ActorLike = None
) -> InboundMessage:
    """Put a message parked as failed back in its contact's queue: received again, attempts
    reset, the contact's processing task enqueued after the commit. In order: it is handled
    before the contact's messages that are still pending and came after it. Audited.

    `contact_id`, when given, must be the message's contact (a conversation page can only
    retry its own messages). Raises InboundMessage.DoesNotExist or MessageNotFailed."""
    with transaction.atomic():
        messages = InboundMessage.objects.filter(pk=message_id)
        if contact_id is not None:
            messages = messages.filter(contact_id=contact_id)
        message = messages.select_related("contact").get()
        requeued = InboundMessage.objects.filter(
            pk=message.pk, status=InboundMessage.Status.FAILED
        ).update(
            status=InboundMessage.Status.RECEIVED,
            attempts=0,
            next_attempt_at=None,
            processed_at=None,
        )
        if not requeued:
            raise MessageNotFailed()
        log_event(
            kind=EventKind.INBOUND_RETRIED,
            by=by,
            contact=message.contact_id,
            message=message.pk,
            wa_message_id=message.wa_message_id,
            error=message.error[:500],
        )
        jobs.enqueue_after_commit(jobs.PROCESS_CONTACT, message.contact_id)
    message.refresh_from_db()
    return message
