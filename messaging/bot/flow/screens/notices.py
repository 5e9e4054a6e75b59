"""Notices: what the buyer is told when staff or the clock change an order (notifications.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _

from messaging.bot.flow.screens.common import (
    clock,
    money,
    number_list,
)
from messaging.bot.flow.screens.orders import (
    hold_line,
    order_summary,
    proof_received,
    receipt,
)
from messaging.bot.flow.snapshots import OrderView


def notify_receipt(order: OrderView) -> str:
    return receipt(order)[0].body


def notify_reserved(order: OrderView, now: datetime) -> str:
    lines = [_("✅ Numbers reserved for you. Order *%(code)s*") % {"code": order.code}]
    lines.append(order_summary(order))
    hold = hold_line(order, now)
    if hold:
        lines.append(hold)
    lines.append(_("Type *pay* to see how to pay."))
    return "\n".join(lines)


def notify_reminder(order: OrderView, now: datetime) -> str:
    return "\n".join(
        [
            _("⏰ Reminder: order *%(code)s* (%(numbers)s) is held for you until %(time)s.")
            % {
                "code": order.code,
                "numbers": number_list(order.numbers),
                "time": clock(order.expires_at) if order.expires_at else "-",
            },
            _(
                "Pay %(total)s and send a photo or a PDF of the receipt here, or the numbers "
                "will be released."
            )
            % {"total": money(order.total, order.currency)},
            _("Type *pay* to see how to pay."),
        ]
    )


def notify_expired(order: OrderView) -> str:
    return _(
        "⌛ Your hold on %(numbers)s (order %(code)s, %(title)s) expired and the numbers were "
        "released. Type *raffles* to reserve again."
    ) % {"numbers": number_list(order.numbers), "code": order.code, "title": order.raffle_title}


def notify_proof_received(order: OrderView) -> str:
    return proof_received(order)[0].body


def notify_rejected(order: OrderView, reason: str, now: datetime) -> str:
    lines = [
        _("❌ We could not confirm your payment for order *%(code)s*.") % {"code": order.code},
        _("Reason: %(reason)s") % {"reason": reason},
    ]
    if order.is_live:
        lines.append(_("Please send a new photo or PDF of the receipt here."))
        if order.expires_at:
            lines.append(
                _("Your numbers are held until %(time)s.") % {"time": clock(order.expires_at)}
            )
    else:
        lines.append(_("Type *agent* to talk to a person."))
    return "\n".join(lines)


def notify_cancelled(order: OrderView) -> str:
    return _(
        "Order *%(code)s* (%(title)s: %(numbers)s) was cancelled by our team and the numbers "
        "were released. Type *agent* if you have questions."
    ) % {"code": order.code, "title": order.raffle_title, "numbers": number_list(order.numbers)}


def you_won(mine: Sequence[str]) -> str:
    """The line a winner reads under a draw's result (main or early-bird)."""
    return _("🎉 You won with %(numbers)s! We will contact you.") % {"numbers": ", ".join(mine)}


def notify_drawn(
    title: str, winners: Sequence[str], url: str = "", mine: Sequence[str] = ()
) -> str:
    text = _notify_drawn(title, winners)
    if mine:
        text += "\n" + you_won(mine)
    if url:
        text += "\n" + _("Check the draw: %(url)s") % {"url": url}
    return text


def notify_early_drawn(
    title: str, draw_title: str, winners: Sequence[str], url: str = "", mine: Sequence[str] = ()
) -> str:
    """An early-bird draw's result, to the buyers whose paid numbers took part."""
    text = _(
        "🏆 The early-bird draw “%(draw)s” of *%(title)s* was drawn! Winning numbers: %(numbers)s."
    ) % {"draw": draw_title, "title": title, "numbers": ", ".join(winners) or "—"}
    if mine:
        text += "\n" + you_won(mine)
    text += "\n" + _("All your numbers still play in the main draw.")
    if url:
        text += "\n" + _("Check the draw: %(url)s") % {"url": url}
    return text


def _notify_drawn(title: str, winners: Sequence[str]) -> str:
    if winners:
        return _(
            "🏆 “%(title)s” was drawn! Winning numbers: %(numbers)s. Type *results* for details."
        ) % {
            "title": title,
            "numbers": ", ".join(winners),
        }
    return _("🏆 “%(title)s” was drawn! Type *results* to see the results.") % {"title": title}
