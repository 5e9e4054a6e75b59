"""Store what a webhook delivery carries: contacts, messages, statuses, other events.

Everything is written in one transaction, deduplicated in the database (Meta delivers at least
once), and the conversation work is enqueued with it (see jobs.py), one task per contact with
new messages. The webhook's path is short on purpose: one SELECT for the delivery's contacts,
one for messages already stored, one multi-row INSERT for the new ones, one UPDATE per contact
for its 24-hour window, the task row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging.channel import identity, jobs, statements
from messaging.channel.logutils import mask_phone
from messaging.channel.statuses import apply_status
from messaging.channel.transient import OUTAGE
from messaging.channel.webhook_parsing import Batch, EventIn, MessageIn, parse_webhook
from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    WebhookDelivery,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

DOWNLOADED_MEDIA_TYPES = frozenset({"image", "document"})  # payment proofs
REJECTED_BODY_KEEP = 4096  # of a badly signed body, keep only this much (for debugging)
NOT_USER_INITIATED = frozenset({"system"})  # does not open the 24-hour window
# The database is unavailable (down, locked, deadlocked): nothing is parked, Meta retries.


@dataclass(frozen=True)
class IngestResult:
    new_messages: int
    new_statuses: int
    new_events: int
    contact_ids: frozenset[int]


def record_delivery(
    body: bytes,
    *,
    signature_ok: bool,
    status: str | None = None,
    error: str = "",
    batch: Batch | None = None,
) -> WebhookDelivery:
    """Keep the raw body (of a badly signed one, only the start), with what it carries."""
    text = body.decode("utf-8", "replace").replace("\x00", "\ufffd")
    if status is None:
        status = (
            WebhookDelivery.Status.RECEIVED if signature_ok else WebhookDelivery.Status.REJECTED
        )
    delivery = WebhookDelivery(
        body=text if signature_ok else text[:REJECTED_BODY_KEEP],
        body_sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        signature_ok=signature_ok,
        status=status,
        error=error[:2000],
        message_count=len(batch.messages) if batch else 0,
        status_count=len(batch.statuses) if batch else 0,
        event_count=len(batch.events) if batch else 0,
    )
    return statements.insert_delivery(delivery)


def store_delivery(body: bytes, data: dict[str, Any]) -> tuple[WebhookDelivery, IngestResult]:
    """The webhook's one commit: the raw body, everything it carries, the tasks to run.

    What can be read is read first, outside the transaction: on SQLite the transaction holds
    the one write lock, so it only writes. The delivery row is written as stored from the
    start: if anything after it fails, the whole transaction (that row included) rolls back.

    If storing fails because of what the delivery carries (not because the database is
    unavailable), it is stored again item by item: the items that cannot be stored are parked
    (see `store_item_by_item`) and never block the others. Only an outage raises."""
    batch = parse_webhook(data)
    try:
        seen = _look_up(batch)
        with transaction.atomic():  # on SQLite, queued by config.sqlite_backend
            delivery = record_delivery(
                body, signature_ok=True, status=WebhookDelivery.Status.STORED, batch=batch
            )
            result = _store(delivery, batch, seen)
            _enqueue(result)
    except OUTAGE:
        raise
    except Exception as exc:  # one item of the batch; find which
        logger.warning("whatsapp webhook delivery failed as a whole (%r): item by item", exc)
        return store_item_by_item(body, batch)
    return delivery, result


def store_item_by_item(body: bytes, batch: Batch) -> tuple[WebhookDelivery, IngestResult]:
    """Store each identity change, message, status and event in its own savepoint. One that
    fails is parked as a WebhookEvent (kind `parked:<what>`, with its error) for staff, and
    the delivery row says how many were parked. An outage still raises (the caller answers
    503 and Meta retries)."""
    parked: list[str] = []
    results: list[IngestResult] = []
    with transaction.atomic():
        delivery = record_delivery(
            body, signature_ok=True, status=WebhookDelivery.Status.STORED, batch=batch
        )
        for what, item, payload in _items(batch):
            try:
                with transaction.atomic():
                    results.append(_store(delivery, item))
            except OUTAGE:
                raise
            except Exception as exc:
                logger.exception("whatsapp webhook delivery %s: %s parked", delivery.pk, what)
                _park(delivery, what, payload, exc)
                parked.append(f"{what}: {exc!r}")
        if parked:
            delivery.error = f"{len(parked)} parked: " + "; ".join(parked)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(error=delivery.error[:2000])
        result = IngestResult(
            sum(r.new_messages for r in results),
            sum(r.new_statuses for r in results),
            sum(r.new_events for r in results),
            frozenset().union(*(r.contact_ids for r in results)),
        )
        _enqueue(result)
    return delivery, result


def _items(batch: Batch) -> list[tuple[str, Batch, Any]]:
    """The batch cut into one-item batches (each message keeps the delivery's contacts)."""
    items: list[tuple[str, Batch, Any]] = [
        ("identity_change", Batch(identity_changes=[c]), asdict(c)) for c in batch.identity_changes
    ]
    items += [
        ("message", Batch(contacts=batch.contacts, messages=[m]), m.payload) for m in batch.messages
    ]
    items += [("status", Batch(statuses=[s]), s.payload) for s in batch.statuses]
    items += [("event", Batch(events=[e]), e.payload) for e in batch.events]
    return items


def _park(delivery: WebhookDelivery, what: str, payload: Any, exc: Exception) -> None:
    """Keep an item that could not be stored where staff see it, with the error."""
    kind = f"parked:{what}"
    key = EventIn(kind=kind, payload=payload).dedup_key
    error = repr(exc)[:2000]
    try:
        with transaction.atomic():
            WebhookEvent.objects.get_or_create(
                dedup_key=key,
                defaults={
                    "kind": kind,
                    "payload": {"item": payload, "error": error},
                    "delivery": delivery,
                },
            )
    except OUTAGE:
        raise
    except Exception:  # not even as JSON: the raw body is on the delivery row
        logger.exception("whatsapp webhook delivery %s: %s not storable", delivery.pk, what)
        WebhookEvent.objects.get_or_create(
            dedup_key=key,
            defaults={"kind": kind, "payload": {"error": error}, "delivery": delivery},
        )


def clear_old_raw_bodies(now: datetime | None = None, batch: int = 1000) -> int:
    """Empty the raw body of deliveries older than WHATSAPP_RAW_BODY_DAYS (a bounded batch
    per call: the sweeper calls it every minute). The messages, statuses and events they
    carried are stored rows of their own; the delivery keeps its SHA-256, size and counts."""
    days = settings.WHATSAPP_RAW_BODY_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    ids = list(
        WebhookDelivery.objects.filter(received_at__lt=cutoff)
        .exclude(body="")
        .order_by()
        .values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return 0
    return WebhookDelivery.objects.filter(pk__in=ids).update(body="")


def ingest(delivery: WebhookDelivery | None, data: dict[str, Any]) -> IngestResult:
    """Store a parsed delivery's contents (the delivery row, if any, already exists)."""
    batch = parse_webhook(data)
    with transaction.atomic(savepoint=False):  # all or nothing, also inside a caller's atomic
        result = _store(delivery, batch)
        if delivery is not None:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.STORED,
                error="",
                message_count=len(batch.messages),
                status_count=len(batch.statuses),
                event_count=len(batch.events),
            )
        _enqueue(result)
    return result


def _enqueue(result: IngestResult) -> None:
    """One processing task per contact with new messages; it handles all of them, in order."""
    for contact_id in sorted(result.contact_ids):
        jobs.enqueue_after_commit(jobs.PROCESS_CONTACT, contact_id)


def _store(
    delivery: WebhookDelivery | None, batch: Batch, seen: Seen | None = None
) -> IngestResult:
    new_messages, to_process = _store_messages(delivery, batch, seen or _look_up(batch))
    new_statuses = new_events = 0
    for status in batch.statuses:
        _, created = MessageStatus.objects.get_or_create(
            wa_message_id=status.wa_message_id,
            status=status.status,
            timestamp=status.timestamp,
            defaults={
                "recipient_id": status.recipient_id or status.recipient_user_id,
                "error_code": status.error_code,
                "error_title": status.error_title,
                "payload": status.payload,
                "delivery": delivery,
            },
        )
        if created:
            new_statuses += 1
            apply_status(
                status.wa_message_id,
                status.status,
                at=status.timestamp,
                error_code=status.error_code,
                error_title=status.error_title,
            )
            logger.info(
                "whatsapp status %s for %s to %s",
                status.status,
                status.wa_message_id,
                mask_phone(status.recipient_id or status.recipient_user_id),
            )
    for event in batch.events:
        _, created = WebhookEvent.objects.get_or_create(
            dedup_key=event.dedup_key,
            defaults={
                "kind": event.kind,
                # JSONField stores a bare None as SQL NULL: always keep an object.
                "payload": event.payload
                if isinstance(event.payload, dict)
                else {"value": event.payload},
                "delivery": delivery,
            },
        )
        if created:
            new_events += 1
            logger.info("whatsapp webhook event %s stored", event.kind)
    return IngestResult(new_messages, new_statuses, new_events, frozenset(to_process))


@dataclass(frozen=True)
class Seen:
    """What the database already holds of a batch: its senders, its messages' ids."""

    contacts: list[Contact]
    stored_ids: frozenset[str]


def _look_up(batch: Batch) -> Seen:
    """Two reads: the contacts known by the batch's ids, the messages already stored."""
    if not batch.messages and not batch.identity_changes:
        return Seen([], frozenset())
    contacts = identity.known_contacts(*identity.ids_of(batch))
    ids = {message.wa_message_id for message in batch.messages}
    return Seen(contacts, frozenset(statements.stored_ids(sorted(ids))))


Sender = tuple[str, str]  # (wa_id, user_id) as the message gave them


def _sender(message: MessageIn) -> Sender:
    return (message.from_wa_id, message.from_user_id)


def _contacts(
    batch: Batch, known: list[Contact], opened: dict[Sender, datetime]
) -> tuple[dict[Sender, Contact], set[int]]:
    """The senders of the batch's messages: created, updated or linked if need be, and the
    ids of those created (with `opened` as their last inbound time). Changes of number or
    BSUID (system messages, `user_id_update`) are applied first, in order."""
    index = identity.ContactIndex(known)
    for change in batch.identity_changes:
        identity.apply_change(index, change)
    for message in batch.messages:
        if message.identity_change is not None:
            identity.apply_change(index, message.identity_change)
    senders: dict[Sender, Contact] = {}
    for message in batch.messages:
        key = _sender(message)
        if key not in senders:
            info = batch.contact_info(*key)
            senders[key] = identity.sender(
                index, *key, info, message.identity_change, opened.get(key)
            )
    return senders, index.created


def _opened(messages: Iterable[MessageIn], now: datetime) -> dict[Sender, datetime]:
    """Each sender's latest message that opens the customer service window (user-initiated),
    no later than now."""
    window: dict[Sender, datetime] = {}
    for message in messages:
        if message.type not in NOT_USER_INITIATED:
            key = _sender(message)
            sent_at = min(message.timestamp or now, now)
            window[key] = max(window.get(key, sent_at), sent_at)
    return window


def _store_messages(
    delivery: WebhookDelivery | None, batch: Batch, seen: Seen
) -> tuple[int, set[int]]:
    """Insert the messages not stored yet, in one statement. Returns (how many, contact ids).

    Deduplicated twice: the ones already stored are skipped, and the INSERT ignores a unique
    conflict, so a copy stored meanwhile by a concurrent delivery of the same message (Meta
    retrying while the first is in flight) is not stored twice. That copy is then counted
    here too and its contact gets one more processing task, which finds nothing to do."""
    now = timezone.now()
    contacts, created = _contacts(batch, seen.contacts, _opened(batch.messages, now))
    if not batch.messages:
        return 0, set()
    fresh: dict[str, MessageIn] = {}
    for message in batch.messages:
        if message.wa_message_id in seen.stored_ids or message.wa_message_id in fresh:
            logger.info(
                "whatsapp duplicate message %s from %s ignored",
                message.wa_message_id,
                mask_phone(message.from_wa_id or message.from_user_id),
            )
            continue
        fresh[message.wa_message_id] = message
    if not fresh:
        return 0, set()
    statements.insert_new_messages(
        [_row(delivery, contacts[_sender(m)], m) for m in fresh.values()]
    )
    for message in fresh.values():
        logger.debug(
            "whatsapp %s message %s from %s stored",
            message.type,
            message.wa_message_id,
            mask_phone(message.from_wa_id or message.from_user_id),
        )
    for key, sent_at in _opened(fresh.values(), now).items():
        contact_id = contacts[key].pk
        if contact_id in created:
            continue  # inserted with it
        statements.open_window(contact_id, sent_at)  # the inbox: a resolved one opens again
    return len(fresh), {contacts[_sender(m)].pk for m in fresh.values()}


def _row(delivery: WebhookDelivery | None, contact: Contact, message: MessageIn) -> InboundMessage:
    media_status = InboundMessage.MediaStatus.NONE
    if message.type in DOWNLOADED_MEDIA_TYPES and message.media_id:
        media_status = InboundMessage.MediaStatus.PENDING
    return InboundMessage(
        wa_message_id=message.wa_message_id,
        contact=contact,
        delivery=delivery,
        phone_number_id=message.phone_number_id,
        type=message.type,
        timestamp=message.timestamp,
        payload=message.payload,
        text=message.text,
        reply_id=message.reply_id,
        reply_title=message.reply_title,
        context_message_id=message.context_message_id,
        media_id=message.media_id,
        media_mime=message.media_mime,
        media_filename=message.media_filename,
        media_status=media_status,
    )
