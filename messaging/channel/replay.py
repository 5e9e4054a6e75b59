"""Replay webhook deliveries that could not be stored.

When storing a delivery fails, the webhook answers 503 (Meta sends it again) and keeps the raw
body apart as a WebhookDelivery with status "failed" (messaging/views.py). Replaying one parses
that raw body again and stores it through the normal store path (`inbound.ingest`): messages,
statuses and events already stored (by Meta's own retry, or an earlier replay) are not stored
twice, the contacts' processing tasks are enqueued, and the delivery is marked stored.
`manage.py replay_deliveries` runs it over a time range or chosen deliveries.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from messaging.channel import inbound
from messaging.channel.webhook_parsing import clean_json, parse_webhook
from messaging.models import WebhookDelivery

logger = logging.getLogger(__name__)
FAILED = WebhookDelivery.Status.FAILED


class UnreplayableDelivery(ValueError):
    """The delivery's raw body is gone (cleared after WHATSAPP_RAW_BODY_DAYS) or unreadable."""


@dataclass(frozen=True)
class Replayed:
    """What replaying one delivery did (or, in a dry run, would store at most)."""

    delivery_id: int
    received_at: datetime
    messages: int
    statuses: int
    events: int
    new_messages: int = 0
    new_statuses: int = 0
    new_events: int = 0


def failed_deliveries(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    ids: list[int] | None = None,
) -> QuerySet[WebhookDelivery]:
    """Signed deliveries that could not be stored, oldest first (Meta's order)."""
    deliveries = WebhookDelivery.objects.filter(status=FAILED, signature_ok=True)
    if since is not None:
        deliveries = deliveries.filter(received_at__gte=since)
    if until is not None:
        deliveries = deliveries.filter(received_at__lt=until)
    if ids:
        deliveries = deliveries.filter(pk__in=ids)
    return deliveries.order_by("received_at", "id")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def parse_body(delivery: WebhookDelivery) -> dict[str, Any]:
    """The delivery's JSON object, read as the webhook reads it."""
    if not delivery.body:
        raise UnreplayableDelivery(f"delivery {delivery.pk} has no raw body any more")
    try:
        data = clean_json(json.loads(delivery.body, parse_constant=_reject_constant))
    except (ValueError, RecursionError) as exc:
        raise UnreplayableDelivery(f"delivery {delivery.pk} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UnreplayableDelivery(f"delivery {delivery.pk} is not a JSON object")
    return data


def replay_delivery(delivery: WebhookDelivery, *, dry_run: bool = False) -> Replayed:
    """Store one failed delivery (idempotent); with dry_run, only read what it carries.
    Raises UnreplayableDelivery, or the storing error (the delivery then stays failed, with
    that error)."""
    data = parse_body(delivery)
    batch = parse_webhook(data)
    carried = Replayed(
        delivery_id=delivery.pk,
        received_at=delivery.received_at,
        messages=len(batch.messages),
        statuses=len(batch.statuses),
        events=len(batch.events),
    )
    if dry_run:
        return carried
    try:
        result = inbound.ingest(delivery, data)
    except Exception as exc:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=FAILED).update(
            error=f"replay: {exc!r}"[:2000]
        )
        raise
    logger.info(
        "whatsapp delivery %s replayed: %d new messages, %d new statuses, %d new events",
        delivery.pk,
        result.new_messages,
        result.new_statuses,
        result.new_events,
    )
    return replace(
        carried,
        new_messages=result.new_messages,
        new_statuses=result.new_statuses,
        new_events=result.new_events,
    )
