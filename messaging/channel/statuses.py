"""Delivery statuses of outbound messages: they only ever move forward.

Order: queued < sending < sent < delivered < read. `failed` (a Meta status webhook saying the
message could not be delivered) replaces queued/sending/sent, but not delivered/read; a later
`delivered` or `read` replaces `failed` (the phone got it after all). `sent` never replaces
`failed`. Because each rule only moves "up" this lattice, applying the same events in any order
gives the same end state, so late, repeated and out-of-order webhooks are harmless.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from messaging.channel import statements
from messaging.models import OutboundMessage

S = OutboundMessage.Status

# Which current statuses a status event may replace.
REPLACES: dict[str, tuple[str, ...]] = {
    S.SENT: (S.QUEUED, S.SENDING),
    S.DELIVERED: (S.QUEUED, S.SENDING, S.SENT, S.FAILED),
    S.READ: (S.QUEUED, S.SENDING, S.SENT, S.DELIVERED, S.FAILED),
    S.FAILED: (S.QUEUED, S.SENDING, S.SENT),
}


def apply_status(
    wa_message_id: str,
    status: str,
    *,
    at: datetime | None = None,
    error_code: int | None = None,
    error_title: str = "",
) -> int:
    """Move the outbound message with this Meta id to `status` if that is forward. Row count."""
    if not wa_message_id or status not in REPLACES:
        return 0
    at = at or timezone.now()
    changes: dict[str, object] = {"status": status}
    if status == S.SENT:
        changes["sent_at"] = Coalesce(F("sent_at"), at)
    elif status == S.DELIVERED:
        changes["delivered_at"] = Coalesce(F("delivered_at"), at)
    elif status == S.READ:
        changes["read_at"] = Coalesce(F("read_at"), at)
        changes["delivered_at"] = Coalesce(F("delivered_at"), at)
    elif status == S.FAILED:
        changes["failed_at"] = at
        changes["error_code"] = error_code
        changes["last_error"] = error_title or "Meta reported the message as failed"
    return OutboundMessage.objects.filter(
        wa_message_id=wa_message_id, status__in=REPLACES[status]
    ).update(**changes)


def replay_statuses(*wa_message_ids: str) -> None:
    """Apply status webhooks that arrived before we recorded these message ids (a race with
    Meta), in one read."""
    for event in statements.early_statuses(wa_message_ids):
        apply_status(
            event.wa_message_id,
            event.status,
            at=event.timestamp,
            error_code=event.error_code,
            error_title=event.error_title,
        )
