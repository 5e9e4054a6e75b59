"""The payment link button: made outside the bot's turn (the provider is an HTTP call), then
queued like any reply. The texts come translated from the turn that asked for it."""

from __future__ import annotations

import logging

from django.db import transaction

from messaging.channel import outbox
from messaging.models import Contact, OutboundMessage
from raffles import services
from raffles.models import Order
from raffles.payments.provider import ProviderError

logger = logging.getLogger(__name__)


def send(contact_id: int, order_code: str, body: str, button: str, note: str) -> str:
    """Queue the order's payment link as a call-to-action button (`note` instead when the
    provider cannot make one); "" when the order takes no link. Returns what was queued."""
    order = Order.objects.select_related("raffle").filter(code=order_code).first()
    contact = Contact.objects.filter(pk=contact_id).first()
    if order is None or contact is None:
        return ""
    try:
        url = services.checkout_link(order)
    except ProviderError:
        logger.warning("no payment link for order %s", order.code, exc_info=True)
        with transaction.atomic():
            outbox.queue_text(contact, note)
        return OutboundMessage.Kind.TEXT
    if not url:
        return ""
    with transaction.atomic():
        outbox.queue_link(contact, body, button, url)
    return OutboundMessage.Kind.LINK
