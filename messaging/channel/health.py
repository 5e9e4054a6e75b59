"""How far behind the channel is: what /healthz (config/health.py) reports on the channel."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from messaging.models import InboundMessage, OutboundMessage


def oldest_due_outbound_wait(now: datetime | None = None) -> timedelta | None:
    """How long the oldest queued row has been due (its next attempt time passed) without
    being sent; None if nothing is due. Rows waiting for a later retry are not counted."""
    now = now or timezone.now()
    oldest = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.QUEUED, next_attempt_at__lte=now
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return None if oldest is None else now - oldest


def oldest_unprocessed_inbound_wait(now: datetime | None = None) -> timedelta | None:
    """How long the oldest received-but-not-processed message has waited; None if none.
    Messages waiting for a later retry after a transient error are not counted."""
    now = now or timezone.now()
    oldest = (
        InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .aggregate(oldest=Min("received_at"))["oldest"]
    )
    return None if oldest is None else max(now - oldest, timedelta(0))
