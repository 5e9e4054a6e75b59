"""The lottery draw method: the winners follow an official lottery result (standard library
only, pure, deterministic; anyone can recompute it).

Inputs, all published on the raffle's public draw page:

- ``entries``: the frozen list (the canonical text of the sold numbers, as for
  ``raffles.draw_method``): ascending, zero-padded to the raffle's width ``N``, one per line.
- ``results``: the official results entered by staff, in the order of their dates; each
  one the prize numbers of one lottery draw in prize order (1st, 2nd, … 5th), as digits.
- ``prizes``: how many winners.
- ``fallback``: what happens when a lottery number was not sold, fixed (and published) when
  the raffle was set up: ``next-prize``, ``next-sold`` or ``redraw``.

The walk: take the lottery prizes in order (the 1st, 2nd, … of the first result, then those
of the next result). Each gives the ticket ``number[-N:]``, its last ``N`` digits. A ticket
that was sold and has not won yet wins the next raffle prize. Otherwise the fallback says:

- ``next-prize``: skip it; the next lottery prize (of the same draw, then of the next
  result) is tried.
- ``next-sold``: the winner is the nearest sold number above the ticket (the ticket itself
  if sold), wrapping around from the highest to the lowest, among the numbers that have not
  won yet. Each lottery prize then gives exactly one winner.
- ``redraw``: the rest of that lottery draw is not used; the walk goes on with the 1st prize
  of the next result (the next date's draw). Until that result is entered, the draw waits.

When the results run out before every raffle prize has a winner, the draw is incomplete: it
stays pending until staff enter the next result. ``RECIPE`` is the same walk in a few lines,
shown on the public page; a test checks that both agree.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

METHOD = "lottery-digits-v1"
NEXT_PRIZE = "next-prize"
NEXT_SOLD = "next-sold"
REDRAW = "redraw"
FALLBACKS = (NEXT_PRIZE, NEXT_SOLD, REDRAW)
MAX_PRIZES_PER_RESULT = 20
MAX_DIGITS = 20


@dataclass(frozen=True)
class Step:
    """One lottery prize looked at: which result (0-based) and prize (0 = 1st), the number,
    its last N digits (`ticket`), and what it gave: the winner, or "" when it gave none."""

    result: int
    position: int
    number: str
    ticket: str
    winner: str


@dataclass(frozen=True)
class Outcome:
    winners: tuple[str, ...]  # in raffle prize order, as written in the entries
    steps: tuple[Step, ...]
    complete: bool  # every raffle prize has a winner


def ticket_of(number: str, width: int) -> str:
    """The last `width` digits of a lottery number."""
    if not (number.isascii() and number.isdigit()) or len(number) < width:
        raise ValueError(f"{number!r} is not a lottery number of at least {width} digits")
    return number[-width:]


def _nearest_sold_above(ticket: str, ordered: Sequence[str], won: set[str]) -> str:
    start = bisect_left(ordered, ticket)
    for offset in range(len(ordered)):
        candidate = ordered[(start + offset) % len(ordered)]
        if candidate not in won:
            return candidate
    raise ValueError("every entry has already won")


def pick_winners(
    results: Sequence[Sequence[str]], entries: str, prizes: int, fallback: str
) -> Outcome:
    """Walk the lottery prizes (see the module's docstring) until `prizes` winners."""
    ordered = entries.splitlines()
    if fallback not in FALLBACKS:
        raise ValueError(f"Unknown fallback {fallback!r}")
    if prizes < 1 or prizes > len(ordered):
        raise ValueError(f"Cannot draw {prizes} prizes from {len(ordered)} entries")
    width = len(ordered[0])
    sold = set(ordered)
    winners: list[str] = []
    steps: list[Step] = []
    for r, numbers in enumerate(results):
        for p, number in enumerate(numbers):
            if len(winners) == prizes:
                break
            ticket = ticket_of(number, width)
            winner = ticket if ticket in sold and ticket not in winners else ""
            if not winner and fallback == NEXT_SOLD:
                winner = _nearest_sold_above(ticket, ordered, set(winners))
            steps.append(Step(r, p, number, ticket, winner))
            if winner:
                winners.append(winner)
            elif fallback == REDRAW:
                break
    return Outcome(tuple(winners), tuple(steps), len(winners) == prizes)


# Shown on the public page and in docs/draws.md. Self-contained: copy, fill in, run.
RECIPE = """\
from bisect import bisect_left

results = [["..."]]  # official results in date order; each: 1st, 2nd, ... prize numbers
fallback = "..."  # next-prize, next-sold or redraw: fixed when the raffle opened
prizes = 1  # number of prizes
entries = open("entries.txt", encoding="utf-8", newline="").read().splitlines()

width = len(entries[0])  # the raffle's digits
winners = []
for draw in results:
    for number in draw:
        if len(winners) == prizes:
            break
        ticket = number[-width:]  # the last digits of the lottery number
        if ticket in entries and ticket not in winners:
            winners.append(ticket)
        elif fallback == "next-sold":  # nearest sold number above, wrapping around
            start = bisect_left(entries, ticket)
            around = entries[start:] + entries[:start]
            winners.append(next(n for n in around if n not in winners))
        elif fallback == "redraw":
            break  # the rest of this draw is not used: the next date decides
print(winners)  # in prize order; fewer than prizes: waiting for the next result
"""


def filled_recipe(*, results: Sequence[Sequence[str]], fallback: str, prizes: int) -> str:
    """RECIPE with a raffle's values written in (as Python literals)."""
    return (
        RECIPE.replace('results = [["..."]]', f"results = {[list(r) for r in results]!r}", 1)
        .replace('fallback = "..."', f"fallback = {fallback!r}", 1)
        .replace("prizes = 1 ", f"prizes = {prizes} ", 1)
    )
