"""Store what a webhook delivery carries: contacts, messages, statuses, other events.

Everything is written in one transaction, deduplicated in the database (Meta delivers at least
once), and the conversation work is enqueued after commit, one task per contact.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

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
    body: bytes, *, signature_ok: bool, status: str | None = None, error: str = ""
) -> WebhookDelivery:
    """Keep the raw body (of a badly signed one, only the start)."""
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
    )


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
    elif info and (
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
    batch = parse_webhook(data)
    with transaction.atomic(savepoint=False):  # all or nothing, also inside the view's atomic
        result = _store(delivery, batch)
        if delivery is not None:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.STORED,
                error="",
                message_count=len(batch.messages),
                status_count=len(batch.statuses),
                event_count=len(batch.events),
            )
        for contact_id in sorted(result.contact_ids):
            jobs.enqueue_after_commit(jobs.PROCESS_CONTACT, contact_id)
    return result


def _store(delivery: WebhookDelivery | None, batch: Batch) -> IngestResult:
    contacts: dict[str, Contact] = {}
    new_messages = new_statuses = new_events = 0
    to_process: set[int] = set()
    for message in batch.messages:
        contact = contacts.get(message.from_wa_id)
        if contact is None:
            contact = get_contact(message.from_wa_id, batch.contacts.get(message.from_wa_id))
            contacts[message.from_wa_id] = contact
        if _store_message(delivery, contact, message):
            new_messages += 1
            to_process.add(contact.pk)
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


def _store_message(delivery: WebhookDelivery | None, contact: Contact, message: MessageIn) -> bool:
    media_status = InboundMessage.MediaStatus.NONE
    if message.type in DOWNLOADED_MEDIA_TYPES and message.media_id:
        media_status = InboundMessage.MediaStatus.PENDING
    _, created = InboundMessage.objects.get_or_create(
        wa_message_id=message.wa_message_id,
        defaults={
            "contact": contact,
            "delivery": delivery,
            "phone_number_id": message.phone_number_id,
            "type": message.type,
            "timestamp": message.timestamp,
            "payload": message.payload,
            "text": message.text,
            "reply_id": message.reply_id,
            "reply_title": message.reply_title,
            "context_message_id": message.context_message_id,
            "media_id": message.media_id,
            "media_mime": message.media_mime,
            "media_filename": message.media_filename,
            "media_status": media_status,
        },
    )
    if not created:
        logger.info(
            "whatsapp duplicate message %s from %s ignored",
            message.wa_message_id,
            mask_phone(message.from_wa_id),
        )
        return False
    logger.info(
        "whatsapp %s message %s from %s stored",
        message.type,
        message.wa_message_id,
        mask_phone(message.from_wa_id),
    )
    if message.type not in NOT_USER_INITIATED:
        now = timezone.now()
        sent_at = min(message.timestamp or now, now)
        Contact.objects.filter(pk=contact.pk).filter(
            Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=sent_at)
        ).update(last_inbound_at=sent_at)
    return True
