"""After a database restore: outbound messages that must not go out any more.

The restored outbox still holds the rows that were queued or being sent when the backup was
taken. Many were sent after it (the restore forgot that), and the rest answer a conversation
that moved on: sending them now would repeat old answers to buyers. Rows older than a cut-off
are closed as UNDELIVERABLE with the reason, never sent; younger ones go out as usual.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from messaging.models import OutboundMessage

STALE_AFTER_RESTORE = "stale after restore: queued before the backup, not sent again"


def stale_outbound(created_before: datetime) -> QuerySet[OutboundMessage]:
    """Rows still waiting to be sent (or being sent) that were queued before the cut-off."""
    return OutboundMessage.objects.filter(
        status__in=OutboundMessage.PENDING_STATUSES, created_at__lt=created_before
    ).order_by("id")


def drop_stale_outbound(created_before: datetime, *, now: datetime | None = None) -> int:
    """Close those rows for good (never sent), with the reason. Returns how many."""
    now = now or timezone.now()
    return stale_outbound(created_before).update(
        status=OutboundMessage.Status.UNDELIVERABLE,
        last_error=STALE_AFTER_RESTORE,
        failed_at=now,
        claimed_until=None,
        claim_token="",
    )
