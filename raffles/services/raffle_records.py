"""Raffles leaving the lists: archived (hidden from lists and the bot, kept with their orders
for the records; restorable) or deleted (only one nobody bought from)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from raffles.audit import EventKind
from raffles.exceptions import RaffleHasSales
from raffles.models import Raffle, TicketNumber
from raffles.selectors import raffle_can_be_deleted
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

logger = logging.getLogger(__name__)


def archive_raffle(*, raffle: Raffle, by: ActorLike = None) -> Raffle:
    """Hide the raffle from lists and the bot. A raffle selling numbers stops selling (its
    sales close, as `close_raffle` does); its orders, numbers and draw stay. Idempotent."""
    with transaction.atomic():
        now = timezone.now()
        Raffle.objects.filter(pk=raffle.pk, status=Raffle.Status.ACTIVE).update(
            status=Raffle.Status.CLOSED, closed_at=now
        )
        archived = Raffle.objects.filter(pk=raffle.pk, archived_at__isnull=True).update(
            archived_at=now
        )
        raffle = Raffle.objects.get(pk=raffle.pk)
        if archived:
            log_event(kind=EventKind.RAFFLE_ARCHIVED, by=by, raffle=raffle, status=raffle.status)
    return raffle


def restore_raffle(*, raffle: Raffle, by: ActorLike = None) -> Raffle:
    """Show an archived raffle in the lists again (in the status it had: a raffle that was
    selling stays closed). Idempotent."""
    with transaction.atomic():
        restored = Raffle.objects.filter(pk=raffle.pk, archived_at__isnull=False).update(
            archived_at=None
        )
        raffle = Raffle.objects.get(pk=raffle.pk)
        if restored:
            log_event(kind=EventKind.RAFFLE_RESTORED, by=by, raffle=raffle)
    return raffle


def delete_raffle(*, raffle: Raffle, by: ActorLike = None) -> None:
    """Delete a raffle nobody bought from (a draft, or one that never sold); any other is
    kept for the records: archive it instead. The audit row keeps its title and id."""
    with transaction.atomic():
        if not raffle_can_be_deleted(raffle):
            raise RaffleHasSales("This raffle has orders; archive it instead of deleting it")
        logger.info("raffle %s deleted", raffle.pk)
        log_event(
            kind=EventKind.RAFFLE_DELETED,
            by=by,
            raffle_id=raffle.pk,
            title=raffle.title,
            status=raffle.status,
        )
        TicketNumber.objects.filter(raffle=raffle).delete()
        raffle.delete()
