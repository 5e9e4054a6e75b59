"""The payment link button: made outside the bot's turn (the provider is an HTTP call), then
queued like any reply. The texts come translated from the turn that asked for it."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from messaging.channel import outbox
from messaging.models import Contact, OutboundMessage, PayLinkQueued
from raffles import services
from raffles.models import Order
from raffles.payments.provider import ProviderError

logger = logging.getLogger(__name__)


def send(contact_id: int, order_code: str, body: str, button: str, note: str, key: str = "") -> str:
    """Queue the order's payment link as a call-to-action button (`note` instead when the
    provider cannot make one); "" when the order takes no link. Returns what was queued.

    `key` names the request (the turn that asked): a second run with the same key (django-q2
    redelivered the task) queues nothing, because the first recorded `PayLinkQueued` in the
    transaction that queued the button."""
    order = Order.objects.select_related("raffle").filter(code=order_code).first()
    contact = Contact.objects.filter(pk=contact_id).first()
    if order is None or contact is None:
        return ""
    if key and PayLinkQueued.objects.filter(key=key).exists():
        return ""  # queued by an earlier run of this task
    try:
        url = services.checkout_link(order)
    except ProviderError:
        logger.warning("no payment link for order %s", order.code, exc_info=True)
        with transaction.atomic():
            if not _first(key, contact, order_code):
                return ""
            outbox.queue_text(contact, note)
        return OutboundMessage.Kind.TEXT
    if not url:
        return ""
    with transaction.atomic():
        record = _first(key, contact, order_code)
        if not record:
            return ""
        message = outbox.queue_link(contact, body, button, url)
        if record.pk:
            PayLinkQueued.objects.filter(pk=record.pk).update(message=message)
    return OutboundMessage.Kind.LINK


def _first(key: str, contact: Contact, order_code: str) -> PayLinkQueued | None:
    """Record this request (in the caller's transaction); None when a concurrent run of the
    same task recorded it first. Without a key (a task queued before keys existed), an
    unsaved record: nothing to deduplicate against."""
    record = PayLinkQueued(key=key, contact=contact, order_code=order_code)
    if not key:
        return record
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        return None
    return record
