"""Winners hear what to do and by when: when the raffle is drawn (a message with a *Claim
my prize* button inside the 24-hour window, the notification template outside it), else the
next time they write. "claim" (or the button) registers the claim in their name.

A claim counts as told (`WinnerClaim.notified_at`) once a message about it was queued; a
winner whose window was closed with no template configured is told when she next writes.
A receiver never breaks the draw: its work runs in a savepoint and errors are logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation

from messaging.bot.flow.effects import ClaimPrize
from messaging.bot.flow.screens import claims as screens
from messaging.bot.notifications import contact_for, language_of
from messaging.channel import outbox
from messaging.models import Contact
from raffles import services, signals
from raffles.exceptions import RaffleError
from raffles.models import Buyer, ClaimStatus, Raffle, WinnerClaim

logger = logging.getLogger(__name__)


def _queue_notice(contact: Contact, claim: WinnerClaim, *, writing: bool) -> bool:
    """Queue the notice of one claim; True when a message went to the outbox."""
    with translation.override(language_of(contact)):
        title = claim.raffle.title
        if writing or contact.window_open:
            reply = screens.claim_notice(title, claim.numbers, claim.deadline)[0]
            buttons = [(b.id, b.title) for b in getattr(reply, "buttons", ())]
            outbox.queue_buttons(contact, reply.body, buttons)
            return True
        if not settings.WHATSAPP_TEMPLATE_NAME:
            return False  # told when she next writes
        text = screens.claim_notice_text(title, claim.numbers, claim.deadline)
        outbox.queue_notification(contact, text)
        return True


@receiver(signals.raffle_drawn, dispatch_uid="messaging-claims-opened")
def on_raffle_drawn(sender: Any, raffle: Raffle, **kwargs: Any) -> None:
    """Tell each winner of the raffle how to claim, once."""
    claims = WinnerClaim.objects.filter(
        raffle=raffle, status=ClaimStatus.OPEN, notified_at__isnull=True
    ).select_related("order", "raffle")
    for claim in claims:
        try:
            with transaction.atomic():
                contact = contact_for(claim.order.buyer_id)
                if contact is not None and _queue_notice(contact, claim, writing=False):
                    services.mark_claim_notified(claim)
        except Exception:
            logger.exception("claim notice for claim %s not queued", claim.pk)


def tell_pending(contact: Contact, buyer: Buyer) -> None:
    """While the buyer writes: the claims she was never told about (one indexed read)."""
    now = timezone.now()
    pending = WinnerClaim.objects.filter(
        order__buyer=buyer, status=ClaimStatus.OPEN, notified_at__isnull=True, deadline__gt=now
    ).select_related("raffle")
    for claim in pending:
        _queue_notice(contact, claim, writing=True)
        services.mark_claim_notified(claim)


def register(buyer: Buyer, effect: ClaimPrize, by: services.Actor) -> None:
    """Register the claims the conversation decided on, each in the buyer's name; a claim
    that closed meanwhile is left as it is (logged)."""
    name = buyer.name or effect.name
    for claim in WinnerClaim.objects.filter(pk__in=effect.claim_ids, order__buyer=buyer):
        try:
            with transaction.atomic():
                services.register_claim(claim, name=name, by=by)
                services.mark_claim_notified(claim)
        except RaffleError as exc:
            logger.info("claim %s not registered: %s", claim.pk, exc)
