"""What the bot says about prices: bundles in the raffle's details, an order's discount,
and coupons ("coupon SAVE10")."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.amounts import amount_replies
from messaging.bot.flow.screens.common import Replies, b_help, b_menu, buttons, money, when
from messaging.bot.flow.snapshots import OrderView, RaffleView


def short_price(amount: object) -> str:
    """A price without its currency, for a row's title: "25", "12.50"."""
    text = f"{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def price_lines(raffle: RaffleView, now: datetime) -> list[str]:
    """The raffle's bundles and early-bird price, one line each (none without them)."""
    lines = []
    if raffle.tiers:
        offers = " · ".join(
            _("%(n)d for %(price)s") % {"n": t.quantity, "price": money(t.price, raffle.currency)}
            for t in raffle.tiers
        )
        lines.append(_("🎁 Bundles: %(offers)s") % {"offers": offers})
    until = raffle.early_bird_until
    if raffle.early_bird_price is not None and until is not None and now < until:
        lines.append(
            _("🐣 Early-bird price: %(price)s per number until %(date)s")
            % {"price": money(raffle.early_bird_price, raffle.currency), "date": when(until)}
        )
    return lines


def discount_lines(order: OrderView) -> list[str]:
    """The list price and what was taken off, when anything was."""
    if order.discount <= 0 or order.list_total is None:
        return []
    lines = [_("List price: %(amount)s") % {"amount": money(order.list_total, order.currency)}]
    other = order.discount - order.coupon_discount
    if other > 0:
        lines.append(
            _("Bundle and early-bird discount: -%(amount)s")
            % {"amount": money(other, order.currency)}
        )
    if order.coupon_code and order.coupon_discount > 0:
        lines.append(
            _("Coupon %(code)s: -%(amount)s")
            % {"code": order.coupon_code, "amount": money(order.coupon_discount, order.currency)}
        )
    return lines


def _pay_buttons(order: OrderView) -> tuple[Button, ...]:
    return (Button(f"pay:{order.code}", _("How to pay")), b_menu())


def coupon_applied(order: OrderView) -> Replies:
    text = _("🏷️ Coupon *%(code)s* applied to order *%(order)s*. New total: *%(total)s*") % {
        "code": order.coupon_code,
        "order": order.code,
        "total": money(order.total, order.currency),
    }
    lines = [text, *discount_lines(order)]
    return (*buttons("\n".join(lines), *_pay_buttons(order)), *amount_replies(order))


def coupon_unknown(code: str) -> Replies:
    return buttons(
        _("I don't know the coupon *%(code)s* for this raffle. Check the code and try again.")
        % {"code": code},
        b_help(),
        b_menu(),
    )


def coupon_unusable(code: str, reason: str) -> Replies:
    why = {
        "expired": _("it has expired"),
        "used_up": _("it has been used as many times as it allows"),
    }.get(reason, _("it is not valid any more"))
    return buttons(
        _("The coupon *%(code)s* cannot be used: %(why)s.") % {"code": code, "why": why},
        b_help(),
        b_menu(),
    )


def coupon_without_order() -> Replies:
    return buttons(
        _(
            "A coupon applies to an order waiting for payment. Reserve your numbers first, then "
            "send *coupon CODE*."
        ),
        b_menu(),
        b_help(),
    )


def coupon_not_now(order: OrderView) -> Replies:
    if order.coupon_code:
        text = _("Order *%(order)s* already has the coupon *%(code)s*; one coupon per order.")
    else:
        text = _("Order *%(order)s* can no longer take a coupon (its payment was sent).")
    return buttons(text % {"order": order.code, "code": order.coupon_code}, *_pay_buttons(order))
