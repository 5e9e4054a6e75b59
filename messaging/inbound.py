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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from messaging import jobs
from messaging.logutils import mask_phone
from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    WebhookDelivery,
    WebhookEvent,
)
from messaging.parsing import Batch, ContactIn, MessageIn, parse_webhook
from messaging.statuses import apply_status

logger = logging.getLogger(__name__)

DOWNLOADED_MEDIA_TYPES = frozenset({"image", "document"})  # payment proofs
REJECTED_BODY_KEEP = 4096  # of a badly signed body, keep only this much (for debugging)
NOT_USER_INITIATED = frozenset({"system"})  # does not open the 24-hour window


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
    return WebhookDelivery.objects.create(
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


def store_delivery(body: bytes, data: dict[str, Any]) -> tuple[WebhookDelivery, IngestResult]:
    """The webhook's one commit: the raw body, everything it carries, the tasks to run.

    What can be read is read first, outside the transaction: on SQLite the transaction holds
    the one write lock, so it only writes. The delivery row is written as stored from the
    start: if anything after it fails, the whole transaction (that row included) rolls back."""
    batch = parse_webhook(data)
    seen = _look_up(batch)
    with transaction.atomic():  # on SQLite, queued by config.sqlite_backend
        delivery = record_delivery(
            body, signature_ok=True, status=WebhookDelivery.Status.STORED, batch=batch
        )
        result = _store(delivery, batch, seen)
        _enqueue(result)
    return delivery, result


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


def buyer_for(wa_id: str) -> Any:
    """The raffles Buyer behind a WhatsApp number (created on first contact)."""
    from raffles.models import Buyer

    buyer, _ = Buyer.objects.get_or_create(phone="+" + wa_id)
    return buyer


def get_contact(wa_id: str, info: ContactIn | None = None) -> Contact:
    contact, created = Contact.objects.get_or_create(
        wa_id=wa_id,
        defaults={
            "profile_name": info.profile_name if info else "",
            "user_id": info.user_id if info else "",
        },
    )
    if created:
        logger.info("whatsapp new contact %s", mask_phone(wa_id))
    return _refresh_contact(contact, info)


def _refresh_contact(contact: Contact, info: ContactIn | None) -> Contact:
    """Keep the profile Meta sends up to date; link the raffles Buyer if not linked yet."""
    wa_id = contact.wa_id
    if info and (
        (info.profile_name and info.profile_name != contact.profile_name)
        or (info.user_id and info.user_id != contact.user_id)
    ):
        contact.profile_name = info.profile_name or contact.profile_name
        contact.user_id = info.user_id or contact.user_id
        contact.save(update_fields=["profile_name", "user_id", "updated_at"])
    if contact.buyer_id is None:
        try:
            with transaction.atomic():
                contact.buyer = buyer_for(wa_id)
                contact.save(update_fields=["buyer", "updated_at"])
        except IntegrityError:  # that buyer already has another contact
            contact.buyer = None
            logger.warning("whatsapp buyer for %s already linked", mask_phone(wa_id))
    return contact


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
                "recipient_id": status.recipient_id,
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
                mask_phone(status.recipient_id),
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

    contacts: dict[str, Contact]
    stored_ids: frozenset[str]


def _look_up(batch: Batch) -> Seen:
    """Two reads: the senders already known, the messages already stored (by Meta id)."""
    if not batch.messages:
        return Seen({}, frozenset())
    wa_ids = {message.from_wa_id for message in batch.messages}
    contacts = (
        Contact.objects.filter(wa_id__in=wa_ids)
        .only("id", "wa_id", "profile_name", "user_id", "buyer_id")
        .order_by()
    )
    ids = {message.wa_message_id for message in batch.messages}
    stored = (
        InboundMessage.objects.filter(wa_message_id__in=ids)
        .order_by()
        .values_list("wa_message_id", flat=True)
    )
    return Seen({contact.wa_id: contact for contact in contacts}, frozenset(stored))


def _contacts(batch: Batch, known: dict[str, Contact]) -> dict[str, Contact]:
    """The senders of the batch's messages, by wa_id: created, updated or linked if need be."""
    wa_ids = dict.fromkeys(message.from_wa_id for message in batch.messages)
    return {
        wa_id: _refresh_contact(known[wa_id], batch.contacts.get(wa_id))
        if wa_id in known
        else get_contact(wa_id, batch.contacts.get(wa_id))
        for wa_id in wa_ids
    }


def _store_messages(
    delivery: WebhookDelivery | None, batch: Batch, seen: Seen
) -> tuple[int, set[int]]:
    """Insert the messages not stored yet, in one statement. Returns (how many, contact ids).

    Deduplicated twice: the ones already stored are skipped, and the INSERT ignores a unique
    conflict, so a copy stored meanwhile by a concurrent delivery of the same message (Meta
    retrying while the first is in flight) is not stored twice. That copy is then counted
    here too and its contact gets one more processing task, which finds nothing to do."""
    if not batch.messages:
        return 0, set()
    contacts = _contacts(batch, seen.contacts)
    fresh: dict[str, MessageIn] = {}
    for message in batch.messages:
        if message.wa_message_id in seen.stored_ids or message.wa_message_id in fresh:
            logger.info(
                "whatsapp duplicate message %s from %s ignored",
                message.wa_message_id,
                mask_phone(message.from_wa_id),
            )
            continue
        fresh[message.wa_message_id] = message
    if not fresh:
        return 0, set()
    InboundMessage.objects.bulk_create(
        [_row(delivery, contacts[m.from_wa_id], m) for m in fresh.values()],
        ignore_conflicts=True,
    )
    now = timezone.now()
    window: dict[int, datetime] = {}  # contact id -> its latest user-initiated message
    for message in fresh.values():
        logger.debug(
            "whatsapp %s message %s from %s stored",
            message.type,
            message.wa_message_id,
            mask_phone(message.from_wa_id),
        )
        if message.type not in NOT_USER_INITIATED:
            contact_id = contacts[message.from_wa_id].pk
            sent_at = min(message.timestamp or now, now)
            window[contact_id] = max(window.get(contact_id, sent_at), sent_at)
    for contact_id, sent_at in window.items():
        Contact.objects.filter(pk=contact_id).filter(
            Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=sent_at)
        ).update(last_inbound_at=sent_at)
    return len(fresh), {contacts[m.from_wa_id].pk for m in fresh.values()}


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
