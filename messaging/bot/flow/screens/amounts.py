"""What carries an order's amount itself: the *Pay now* link and the Pix code. Sent with the
payment details, and again whenever the total changes (a coupon)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from messaging.bot.flow.replies import PayLink, Picture
from messaging.bot.flow.replies import Text as TextReply
from messaging.bot.flow.screens.common import Replies, money
from messaging.bot.flow.snapshots import OrderView


def pix_replies(order: OrderView) -> Replies:
    """The order's Pix QR code, then its copy-and-paste code alone (one long press copies
    it); nothing when the raffle does not take Pix."""
    if not order.pix_code:
        return ()
    return (Picture("pix", order.raffle_id, text=order.pix_code), TextReply(order.pix_code))


def amount_replies(order: OrderView) -> Replies:
    """What carries the order's amount itself: the *Pay now* link and the Pix code. Sent with
    the payment details, and again whenever the total changes (a coupon)."""
    link = (pay_link(order),) if order.pays_by_link else ()
    return (*link, *pix_replies(order))


def pay_link(order: OrderView) -> PayLink:
    text = _(
        "Or pay %(amount)s online: tap *Pay now*. Your order is confirmed by itself, "
        "no receipt needed."
    ) % {"amount": money(order.total, order.currency)}
    return PayLink(order.code, text)
