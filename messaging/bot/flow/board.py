""" "Which numbers are free?": the raffle's board as a picture, with the count and the link
to the public page."""

from __future__ import annotations

import re

from messaging.bot.flow import screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.screens import pictures
from messaging.bot.flow.snapshots import RaffleView
from messaging.bot.flow.states import BROWSING, RAFFLE, START

NUMBER = re.compile(r"\d{1,7}")


def asked_number(text: str, raffle: RaffleView) -> int | None:
    """The first number in the text that is one of the raffle's ("free 250" → 250)."""
    for found in NUMBER.findall(text or ""):
        number = int(found)
        if raffle.min_number <= number <= raffle.max_number:
            return number
    return None


class FreeNumbers(ConversationBase):
    def free_numbers(self, text: str) -> Turn:
        """The board of the raffle she is on (else the only one on sale; else she picks)."""
        raffle_id = self.ctx.get("raffle") if self.state != BROWSING else None
        raffle = self.q.raffle(raffle_id) if raffle_id else None
        if raffle is None or not raffle.selling:
            raffles, total = self.selling()
            if total == 0:
                return self.out(screens.no_raffles(), START, {})
            if total > 1:
                return self.raffles(1)
            raffle = raffles[0]
        replies = pictures.board(raffle, asked_number(text, raffle))
        if self.state in (START, BROWSING, RAFFLE):
            return self.out(replies, RAFFLE, {"raffle": raffle.id})
        return self.out(replies)  # an order in progress stays where it was
