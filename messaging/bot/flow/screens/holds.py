"""Numbers the buyer holds: asking before changing them, and the answers to an amount, a
payment note or a "yes" typed while (or when no) order waits for payment."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.common import (
    Replies,
    b_agent,
    b_menu,
    b_tickets,
    buttons,
    clock,
    fmt_numbers,
    menu_buttons,
    money,
    reserve_id,
)
from messaging.bot.flow.screens.orders import hold_summary
from messaging.bot.flow.snapshots import OrderView, RaffleView


def _wanted(raffle: RaffleView, numbers: Sequence[int], qty: int) -> str:
    if numbers:
        return fmt_numbers(raffle, sorted(numbers))
    return ngettext("%(n)d random number", "%(n)d random numbers", qty) % {"n": qty}


def ask_change(
    raffle: RaffleView, holds: Sequence[OrderView], numbers: Sequence[int], qty: int
) -> Replies:
    """The buyer asked for numbers in a raffle where she already holds some: keep them,
    change them (one hold that may still be replaced), or add another order."""
    lines = [
        ngettext(
            "You already hold numbers in %(title)s:",
            "You already have %(n)d orders waiting in %(title)s:",
            len(holds),
        )
        % {"title": raffle.title, "n": len(holds)},
        *(hold_summary(o) for o in holds),
        "",
    ]
    wanted = _wanted(raffle, numbers, qty)
    newest = holds[0]
    change = reserve_id(raffle.id, numbers, qty, change=newest.code)
    if len(holds) == 1 and newest.can_be_replaced and change:
        lines.append(
            _(
                "*Change* releases them and reserves %(wanted)s instead; *Add another order* "
                "keeps them and reserves %(wanted)s too."
            )
            % {"wanted": wanted}
        )
    else:
        change = None
        lines.append(
            _("*Add another order* keeps them and reserves %(wanted)s too.") % {"wanted": wanted}
        )
    add = reserve_id(raffle.id, numbers, qty, add=True, beside=newest.code)
    return buttons(
        "\n".join(lines),
        Button(f"keep:{newest.code}", _("Keep my numbers")),
        Button(change, _("Change")) if change else None,
        Button(add, _("Add another order")) if add else None,
    )


def payment_note(order: OrderView, lead: str = "") -> Replies:
    """An amount or "I paid" while an order waits for payment: what to do with it."""
    lines = [lead] if lead else []
    lines += [
        _("Order *%(code)s* waits for your payment of *%(total)s* (%(numbers)s).")
        % {
            "code": order.code,
            "total": money(order.total, order.currency),
            "numbers": ", ".join(order.numbers),
        },
        _(
            "Once you have paid, send a photo or a PDF of the receipt here: our team checks it "
            "and confirms your numbers."
        ),
    ]
    if order.expires_at:
        lines.append(
            _("Your numbers stay reserved until %(time)s.") % {"time": clock(order.expires_at)}
        )
    return buttons(
        "\n".join(lines),
        Button(f"pay:{order.code}", _("How to pay")),
        b_agent(),
        b_menu(),
    )


def confirm_waiting(order: OrderView) -> Replies:
    """ "yes" outside the confirm step, with an order waiting for payment."""
    return payment_note(order, _("Your numbers are reserved; what is left is the payment."))


def amount_not_numbers() -> str:
    return _(
        "That looks like an amount of money, not numbers, so I reserved nothing. To choose "
        "numbers, send them separated by spaces or commas, like *5 12* or *5, 12*."
    )


def note_without_order() -> Replies:
    return buttons(
        _("You have no order waiting for payment.")
        + " "
        + _(
            "If you paid for numbers, send a photo or a PDF of the receipt here, or talk to a "
            "person."
        ),
        b_tickets(),
        b_agent(),
        b_menu(),
    )


def nothing_to_confirm() -> Replies:
    return menu_buttons(_("There is nothing to confirm right now."))
