"""Choosing numbers: the answers to numbers that cannot be reserved, and why."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.flow.replies import (
    Button,
)
from messaging.bot.flow.screens.common import (
    Replies,
    b_agent,
    b_back,
    b_menu,
    b_raffles,
    b_tickets,
    buttons,
    fmt_numbers,
    number_list,
    reserve_id,
    take_id,
)
from messaging.bot.flow.snapshots import RaffleView


def _take_button(raffle: RaffleView, numbers: Sequence[int], title: str) -> Button | None:
    button_id = take_id(raffle.id, numbers)
    return Button(button_id, title) if button_id else None


def duplicate_numbers(
    raffle: RaffleView, numbers: Sequence[int], repeated: Sequence[int]
) -> Replies:
    unique = sorted(set(numbers))
    return buttons(
        _("You sent %(numbers)s more than once. Each number can be in an order only once.")
        % {"numbers": fmt_numbers(raffle, repeated)}
        + "\n"
        + _("Reserve %(numbers)s?") % {"numbers": fmt_numbers(raffle, unique)},
        _take_button(raffle, unique, _("Yes, reserve")),
        Button(f"pick:{raffle.id}", _("Choose again")),
        b_menu(),
    )


def out_of_range(raffle: RaffleView, bad: Sequence[int]) -> Replies:
    return buttons(
        ngettext(
            "%(numbers)s is not a number of this raffle: numbers go from %(first)s to %(last)s.",
            "%(numbers)s are not numbers of this raffle: numbers go from %(first)s to %(last)s.",
            len(bad),
        )
        % {
            "numbers": number_list([str(n) for n in bad]),
            "first": raffle.fmt(raffle.min_number),
            "last": raffle.fmt(raffle.max_number),
        }
        + " "
        + _("Send your numbers again."),
        Button(f"qty:{raffle.id}", _("Random numbers")),
        b_menu(),
    )


def too_many(raffle: RaffleView | None, count: int) -> Replies:
    limit = raffle.max_per_order if raffle else None
    text = (
        _("That is %(count)d numbers; one order takes up to %(max)d.")
        % {"count": count, "max": limit}
        if limit
        else _("That is too many numbers for one order.")
    )
    return buttons(text + " " + _("Send fewer numbers."), b_back(), b_menu())


def too_few() -> Replies:
    return buttons(_("Ask for at least one number."), b_back(), b_menu())


def only_left(
    raffle: RaffleView,
    wanted: int,
    left: int | None = None,
    *,
    change: str = "",
    add: bool = False,
) -> Replies:
    left = raffle.left if left is None else left
    take = reserve_id(raffle.id, qty=left, change=change, add=add)
    return buttons(
        _("You asked for %(wanted)d numbers, but only %(left)d are left.")
        % {"wanted": wanted, "left": left},
        Button(take, _("Take the %(n)d left") % {"n": left})
        if take and 0 < left <= raffle.max_per_order
        else None,
        b_raffles(),
        b_menu(),
    )


def numbers_taken(
    raffle: RaffleView | None,
    raffle_id: int,
    taken: Sequence[int],
    rest: Sequence[int],
    alternatives: Sequence[int],
    *,
    change: str = "",
    add: bool = False,
) -> Replies:
    """Some numbers were taken. The buttons carry on what the buyer was doing: a plain
    reservation, a change of her order `change`, or another order (`add`)."""

    def f(numbers: Sequence[int]) -> str:
        return fmt_numbers(raffle, numbers)

    lines = [
        ngettext(
            "Sorry, %(numbers)s was just taken by someone else.",
            "Sorry, %(numbers)s were just taken by someone else.",
            len(taken),
        )
        % {"numbers": f(taken)},
        _("Nothing was reserved."),
    ]
    swap = sorted({*rest, *alternatives[: len(taken)]})
    if alternatives:
        lines.append(_("Free numbers close to them: %(numbers)s.") % {"numbers": f(alternatives)})
    choices: list[Button | None] = []
    if rest:
        lines.append(_("Tap *Take the others* to reserve %(numbers)s.") % {"numbers": f(rest)})
        choices.append(_take_button_id(raffle_id, rest, _("Take the others"), change, add))
    if alternatives and swap != sorted(rest):
        lines.append(_("Tap *Use nearby* to reserve %(numbers)s.") % {"numbers": f(swap)})
        choices.append(_take_button_id(raffle_id, swap, _("Use nearby"), change, add))
    if not alternatives and not rest:
        lines.append(_("Send other numbers, or ask for random ones."))
    choices.append(Button(f"pick:{raffle_id}", _("Choose again")))
    return buttons("\n".join(lines), *choices)


def _take_button_id(
    raffle_id: int, numbers: Sequence[int], title: str, change: str = "", add: bool = False
) -> Button | None:
    button_id = reserve_id(raffle_id, numbers, change=change, add=add)
    return Button(button_id, title) if button_id else None


def buyer_limit(limit: int, already: int, remaining: int) -> Replies:
    text = _(
        "Each buyer can have up to %(limit)d numbers of this raffle; you already have %(already)d."
    ) % {
        "limit": limit,
        "already": already,
    }
    if remaining:
        text += " " + _("You can still get %(n)d.") % {"n": remaining}
    return buttons(text, b_tickets(), b_menu())


def reserve_failed() -> Replies:
    return buttons(
        _("Sorry, I could not reserve those numbers. Please try again."), b_raffles(), b_agent()
    )
