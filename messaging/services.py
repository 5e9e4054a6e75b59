"""Writes of the WhatsApp channel that staff and the API trigger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from messaging.channel import jobs, outbox
from messaging.exceptions import InvalidOutboundMessage, MessageNotFailed, WindowClosed
from messaging.models import Contact, FaqEntry, InboundMessage, OutboundMessage
from raffles.audit import EventKind
from raffles.services import log_event
from raffles.services.actors import ActorLike


def quiet_until(now: datetime) -> datetime:
    """When a handover with no news since `now` ends by itself."""
    return now + timedelta(minutes=settings.HANDOVER_QUIET_MINUTES)


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
    also mark (or clear) that the contact asked for a person; resuming clears it unless
    told otherwise. A pause ends by itself after the quiet time (`end_quiet_handovers`)."""
    now = timezone.now()
    fields: dict[str, object] = {
        "bot_paused": paused,
        "handover_until": quiet_until(now) if paused else None,
        "updated_at": now,
    }
    if wants_agent is None and not paused:
        wants_agent = False
    if wants_agent is not None:
        fields["wants_agent"] = wants_agent
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk).exclude(bot_paused=paused).update(**fields)
        if not changed and wants_agent is not None:
            Contact.objects.filter(pk=contact.pk).exclude(wants_agent=wants_agent).update(
                wants_agent=wants_agent, updated_at=now
            )
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


def end_quiet_handovers(now: datetime | None = None) -> int:
    """Give back to the bot every conversation whose handover went quiet (nothing from staff
    for settings.HANDOVER_QUIET_MINUTES). A buyer nobody answered stays marked as waiting
    for a person. Idempotent (the sweeper runs it every minute); audited. Returns how many."""
    now = now or timezone.now()
    due = Contact.objects.filter(bot_paused=True, handover_until__lte=now).values_list(
        "pk", flat=True
    )
    ended = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            contact = Contact.objects.select_for_update().get(pk=pk)
            if not contact.bot_paused or contact.handover_until is None:
                continue
            if contact.handover_until > now:
                continue
            set_bot_paused(
                contact, False, wants_agent=contact.wants_agent, reason="quiet handover ended"
            )
            ended += 1
    return ended


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
        by_id = getattr(by, "pk", None)
        if isinstance(by_id, int):  # who wrote it: shown in the thread instead of "bot"
            OutboundMessage.objects.filter(pk__in=[r.pk for r in rows]).update(sent_by_id=by_id)
        # Answered: no longer waiting for a person; a handover's quiet time starts again.
        answered: dict[str, object] = {"wants_agent": False}
        if contact.bot_paused:
            answered["handover_until"] = quiet_until(timezone.now())
        Contact.objects.filter(pk=contact.pk).update(**answered)
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


def set_marketing_opt_out(contact: Contact, opted_out: bool = True, by: ActorLike = None) -> bool:
    """Record that a contact wants no news or promotions (or wants them again). Idempotent;
    a change is recorded in the audit log. True when something changed."""
    with transaction.atomic():
        changed = (
            Contact.objects.filter(pk=contact.pk)
            .exclude(marketing_opt_out=opted_out)
            .update(marketing_opt_out=opted_out, updated_at=timezone.now())
        )
        if changed:
            log_event(
                kind=EventKind.MARKETING_OPT_OUT if opted_out else EventKind.MARKETING_OPT_IN,
                by=by,
                contact=contact.pk,
                wa_id=contact.wa_id,
            )
    contact.marketing_opt_out = opted_out
    return bool(changed)


def save_faq_entry(entry: FaqEntry, by: ActorLike = None) -> FaqEntry:
    """Add or change a FAQ entry the bot answers (staff, in the portal); audited."""
    with transaction.atomic():
        created = entry.pk is None
        entry.save()
        log_event(
            kind=EventKind.FAQ_ADDED if created else EventKind.FAQ_CHANGED,
            by=by,
            faq=entry.pk,
            question=entry.question,
            active=entry.active,
        )
    return entry
