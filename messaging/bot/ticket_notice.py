"""The receipt as a ticket picture: when an order is paid, besides the text receipt
(`notifications.on_order_paid`), the buyer gets her ticket (order code, numbers, raffle, draw
date, a verification link and its QR code), only inside the 24-hour window (a picture cannot
go as a template). Never breaks the payment: errors are logged."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from messaging.bot.flow.screens.common import when
from messaging.bot.notifications import contact_for_order, language_of
from messaging.channel import outbound_media, outbox
from messaging.models import OutboundMessage
from raffles import signals
from raffles.images.ticket import TicketData, TicketLabels, ticket_png
from raffles.models import Order
from raffles.public import tickets

logger = logging.getLogger(__name__)


def ticket_labels() -> TicketLabels:
    return TicketLabels(
        heading=_("Your ticket"),
        order=_("Order"),
        numbers=_("Numbers"),
        draw=_("Draw"),
        verify=_("Check this ticket"),
        more=_("+%(n)d more"),
    )


def ticket_image(order: Order) -> bytes:
    """The order's ticket, in the active language."""
    raffle = order.raffle
    data = TicketData(
        code=order.code,
        numbers=order.formatted_numbers(),
        raffle_title=raffle.title,
        draw_date=when(raffle.draw_at) if raffle.draw_at else "",
        url=tickets.ticket_url(order),
    )
    return ticket_png(data, ticket_labels())


def queue_ticket(order: Order) -> OutboundMessage | None:
    """Queue the ticket picture of a paid order, when its buyer has a contact whose window is
    open; None otherwise. The picture is drawn when the row is sent (`render_ticket`)."""
    if Order.buyer.is_cached(order) and not order.buyer.has_channel:
        return None
    contact = contact_for_order(order)
    if contact is None or not contact.window_open:
        return None
    language = language_of(contact)
    with translation.override(language):
        caption = _("Your ticket %(code)s") % {"code": order.code}
    return outbox.queue_rendered_image(
        contact, {"picture": "ticket", "order": order.pk, "language": language}, caption=caption
    )


def render_ticket(spec: dict[str, Any]) -> tuple[bytes, str]:
    """The ticket picture of a row queued by `queue_ticket`, drawn by the send task."""
    order = Order.objects.select_related("raffle").filter(pk=spec["order"]).first()
    if order is None:
        raise outbound_media.RenderFailed(f"order {spec['order']} no longer exists")
    with translation.override(spec.get("language") or None):
        return ticket_image(order), "image/png"


outbound_media.register("ticket", render_ticket)


@receiver(signals.order_paid, dispatch_uid="messaging-order-paid-ticket")
def on_order_paid(sender: Any, order: Order, **kwargs: Any) -> None:
    if Order.buyer.is_cached(order) and not order.buyer.has_channel:
        return  # no contact was ever linked to this buyer: no query, no savepoint
    try:
        with transaction.atomic():
            queue_ticket(order)
    except Exception:
        logger.exception("ticket picture of order %s not queued", order.pk)
