"""How a raffle's winner is chosen, in the buyer's words: one line in the raffle's details and
the answer to "verify" / "how is the winner chosen?", for each draw method of raffles
(docs/draws.md): commit-reveal (`hmac-sha256-rejection-v1`: a secret committed before the
sales) and the lottery's last digits (`lottery-digits-v1`, with its fallback)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from messaging.bot.flow.screens.common import Replies, b_menu, b_raffles, buttons
from messaging.bot.flow.snapshots import RaffleView
from raffles import draw_lottery


def fair_draw_line(raffle: RaffleView) -> str:
    """One short line about how the winner is chosen; the details are in `verification`."""
    if raffle.is_lottery:
        return _(
            "🎲 Winner: last %(digits)d digits of the lottery's first prize — type *verify* "
            "for the details."
        ) % {"digits": raffle.width}
    if raffle.draw_url:
        return _("🔐 Anyone can check the draw: %(url)s") % {"url": raffle.draw_url}
    return _("🔐 The draw can be checked by anyone: type *verify* to see how.")


def has_draw_rule(raffle: RaffleView) -> bool:
    """Whether the raffle has a draw to explain (a draft raffle has none yet)."""
    return raffle.is_lottery or bool(raffle.commitment or raffle.draw_url)


def commit_reveal_lines(raffle: RaffleView, *, explained: bool) -> list[str]:
    """The secret and its commitment: explained in full once, then referred to."""
    if explained:
        lines = [
            _(
                "🔐 The same method as above: a secret committed before the sales, revealed "
                "after the draw."
            )
        ]
    else:
        lines = [
            _(
                "🔐 The winning numbers come from a secret fixed before the sales, whose "
                "fingerprint (the commitment) is published below. After the draw the secret is "
                "revealed: anyone can check that it matches the commitment and gives the "
                "winning numbers."
            )
        ]
    if raffle.commitment:
        lines.append(_("Commitment: %(hash)s") % {"hash": raffle.commitment})
    return lines


def fallback_line(fallback: str) -> str:
    """What happens when the lottery's number was not sold (fixed when the raffle opened)."""
    if fallback == draw_lottery.NEXT_SOLD:
        return _(
            "If that number was not sold: the nearest sold number above it (after the last "
            "number, counting starts again from the first)."
        )
    if fallback == draw_lottery.REDRAW:
        return _("If that number was not sold: the draw moves to the next lottery date.")
    return _("If that number was not sold: the 2nd prize's digits, then the 3rd, and so on.")


def lottery_lines(raffle: RaffleView) -> list[str]:
    """The lottery rule: which digits, of which prize, the fallback, several prizes."""
    values = {"digits": raffle.width, "source": raffle.lottery_source}
    if raffle.lottery_source:
        rule = _(
            "🎲 The winner is the number matching the last %(digits)d digits of the first prize "
            "of the official lottery on the draw date (%(source)s)."
        )
    else:
        rule = _(
            "🎲 The winner is the number matching the last %(digits)d digits of the first prize "
            "of the official lottery on the draw date."
        )
    lines = [rule % values, fallback_line(raffle.draw_fallback)]
    if raffle.draw_prizes > 1:
        lines.append(
            _("With %(prizes)d prizes, they take the lottery's successive prizes (1st, 2nd, …).")
            % {"prizes": raffle.draw_prizes}
        )
    return lines


def verification(raffles: Sequence[RaffleView]) -> Replies:
    """How each raffle's winner is chosen: its rule, the commitment (its full hash) of a
    commit-reveal raffle, and the public page where anyone checks the draw."""
    lines = [_("How each raffle's winner is chosen:")]
    explained = False
    for raffle in raffles:
        if not has_draw_rule(raffle):
            continue
        lines += ["", f"*{raffle.title}*"]
        if raffle.is_lottery:
            lines += lottery_lines(raffle)
        else:
            lines += commit_reveal_lines(raffle, explained=explained)
            explained = True
        if raffle.draw_url:
            lines.append(_("Check the draw: %(url)s") % {"url": raffle.draw_url})
    if len(lines) == 1:
        lines.append(_("The draw details are published when a raffle's sales open."))
    return buttons("\n".join(lines), b_raffles(), b_menu())
