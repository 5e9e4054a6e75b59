"""Answers to everyday messages (flow.intents): thanks, price, prizes, draw date, opt-out."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.common import (
    Replies,
    b_menu,
    b_raffles,
    b_tickets,
    buttons,
    menu_buttons,
    money,
    when,
)
from messaging.bot.flow.screens.coupons import price_lines
from messaging.bot.flow.snapshots import OrderView, RaffleView


def you_are_welcome() -> Replies:
    return menu_buttons(_("You're welcome! Anything else?"))


def prices(raffles: Sequence[RaffleView], order: OrderView | None) -> Replies:
    """Each raffle's price per number, with its bundles and early-bird price (as its details
    show them), and what the buyer's waiting order comes to."""
    now = timezone.now()
    lines = []
    for r in raffles:
        lines.append(
            _("*%(title)s*: %(price)s per number.")
            % {"title": r.title, "price": money(r.price, r.currency)}
        )
        lines += price_lines(r, now)
    if not lines:
        lines.append(_("There are no raffles on sale right now."))
    if order is not None:
        lines.append(
            _("Your order *%(code)s* comes to *%(total)s*.")
            % {"code": order.code, "total": money(order.total, order.currency)}
        )
    return _with_order_button("\n".join(lines), order)


def prizes(raffles: Sequence[RaffleView]) -> Replies:
    """Each raffle's prizes, first prize first (the draw's descriptions), else its prize."""
    blocks = []
    for r in raffles:
        if len(r.prize_names) > 1:
            lines = [_("🏆 Prizes of *%(title)s*:") % {"title": r.title}]
            lines += [f"{n}. {name}" for n, name in enumerate(r.prize_names, start=1)]
            blocks.append("\n".join(lines))
        elif r.prize_names or r.prize:
            prize = r.prize_names[0] if r.prize_names else r.prize
            blocks.append(f"*{r.title}*: 🎁 {prize}")
        else:
            blocks.append(_("*%(title)s*: the prize is not announced yet.") % {"title": r.title})
    if not blocks:
        blocks.append(_("There are no raffles on sale right now."))
    return buttons("\n\n".join(blocks), b_raffles(), b_tickets(), b_menu())


def draw_dates(raffles: Sequence[RaffleView]) -> Replies:
    lines = [
        (
            _("*%(title)s*: the draw is on %(when)s.") % {"title": r.title, "when": when(r.draw_at)}
            if r.draw_at
            else _("*%(title)s*: the draw date is not set yet.") % {"title": r.title}
        )
        for r in raffles
    ]
    if not lines:
        lines.append(_("There are no raffles on sale right now."))
    return buttons("\n".join(lines), b_raffles(), b_tickets(), b_menu())


def opted_in() -> Replies:
    return buttons(
        _("Done: you will get our news and reminders again. Send *stop* to stop them."),
        b_tickets(),
        b_menu(),
    )


def opted_out() -> Replies:
    return buttons(
        _(
            "Done: you won't get news or promotions from us any more. Messages about your "
            "orders and tickets still reach you."
        ),
        b_tickets(),
        b_menu(),
    )


def faq(answer: str) -> Replies:
    return menu_buttons(answer)


def _with_order_button(body: str, order: OrderView | None) -> Replies:
    if order is None:
        return buttons(body, b_raffles(), b_menu())
    return buttons(body, Button(f"pay:{order.code}", _("How to pay")), b_raffles(), b_menu())
