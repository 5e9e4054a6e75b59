"""The words beside the pictures: a raffle's board (which numbers are free)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.flow.replies import Button, Picture
from messaging.bot.flow.screens.common import Replies, b_menu, b_raffles, buttons
from messaging.bot.flow.snapshots import RaffleView


def board(raffle: RaffleView, around: int | None) -> Replies:
    """The board's picture (the block around `around`), then the count, how to go on and the
    public page."""
    if raffle.left == 0:
        return buttons(
            _("All numbers are taken. 😔 Look at the other raffles."), b_raffles(), b_menu()
        )
    lines = [
        ngettext(
            "*%(title)s*: %(n)d number is free.",
            "*%(title)s*: %(n)d numbers are free.",
            raffle.left,
        )
        % {"title": raffle.title, "n": raffle.left},
        _(
            "Green numbers in the picture are free. Type the ones you want, or ask for another "
            "block, for example *free numbers %(example)s*."
        )
        % {"example": raffle.fmt(_example(raffle))},
    ]
    if raffle.public_url:
        lines.append(_("Every number: %(url)s") % {"url": raffle.public_url})
    return (
        Picture("board", raffle.id, around),
        *buttons(
            "\n\n".join(lines),
            Button(f"pick:{raffle.id}", _("Choose numbers")),
            b_raffles(),
            b_menu(),
        ),
    )


def _example(raffle: RaffleView) -> int:
    """A number in the middle of the raffle, to show how to ask for another block."""
    return raffle.min_number + (raffle.max_number - raffle.min_number) // 2


def board_labels(first: str, last: str, low: str, high: str) -> tuple[str, str, str]:
    """The picture's subtitle and legend, in the reader's language."""
    return (
        _("Numbers %(first)s to %(last)s (of %(low)s to %(high)s)")
        % {"first": first, "last": last, "low": low, "high": high},
        _("free"),
        _("taken"),
    )
