"""Writes of the WhatsApp channel that staff and the API trigger."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from messaging.models import Contact
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
