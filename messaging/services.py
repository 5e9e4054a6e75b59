"""Writes of the WhatsApp channel that staff and the API trigger."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from messaging import outbox
from messaging.exceptions import InvalidOutboundMessage, WindowClosed
from messaging.models import Contact, OutboundMessage
from raffles.services import log_event
from raffles.services.actors import ActorLike


def set_bot_paused(contact: Contact, paused: bool, by: ActorLike = None) -> Contact:
    """Pause (a person answers) or resume the bot for one contact. Idempotent; a change is
    recorded in the audit log with who made it."""
    with transaction.atomic():
        changed = (
            Contact.objects.filter(pk=contact.pk)
            .exclude(bot_paused=paused)
            .update(bot_paused=paused, updated_at=timezone.now())
        )
        contact = Contact.objects.select_related("buyer").get(pk=contact.pk)
        if changed:
            log_event(
                kind="bot_paused" if paused else "bot_resumed",
                by=by,
                contact=contact.pk,
                wa_id=contact.wa_id,
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
        log_event(kind="staff_reply", by=by, contact=contact.pk, chars=len(text))
    return rows
