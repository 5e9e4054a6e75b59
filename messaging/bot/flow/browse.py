"""Browsing: the main menu, the raffle list, picking a raffle, the raffle a request is for."""

from __future__ import annotations

from typing import Any

from messaging.bot.flow import buyer_text, screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.replies import Picture
from messaging.bot.flow.snapshots import RaffleView
from messaging.bot.flow.states import (
    BROWSING,
    RAFFLE,
    START,
)


def with_photo(raffle: RaffleView, replies: screens.Replies) -> screens.Replies:
    """The raffle's prize photo before its details, when it has one."""
    return (Picture("prize", raffle.id), *replies) if raffle.has_photo else replies


class Browse(ConversationBase):
    """The menu and the raffles on sale."""

    def menu(self) -> Turn:
        raffles, total = self.selling()
        live = self.q.live_orders()
        return self.out(
            screens.main_menu(self.q.buyer_name, raffles, total, live),
            START,
            {},
        )

    def raffles(self, page: int, want: dict[str, Any] | None = None) -> Turn:
        raffles, total = self.selling(page)
        if not total:
            return self.out(screens.no_raffles(), START, {})
        page = min(max(page, 1), screens.page_count(total))
        context: dict[str, Any] = {"page": page}
        if want:
            context["want"] = want
            return self.out(screens.which_raffle(raffles, total), BROWSING, context)
        if want is None and "want" in self.ctx and self.state == BROWSING:
            context["want"] = self.ctx["want"]
        return self.out((screens.raffle_list(raffles, page, total),), BROWSING, context)

    def not_selling(self, raffle: RaffleView | None) -> Turn:
        raffles, total = self.selling()
        state, context = (BROWSING, {"page": 1}) if total else (START, {})
        return self.out(screens.not_selling(raffle, raffles, total), state, context)

    def selling_raffle(self, raffle_id: int | None) -> RaffleView | Turn:
        raffle = self.q.raffle(raffle_id) if raffle_id else None
        if raffle is None or not raffle.selling or raffle.left == 0:
            return self.not_selling(raffle)
        return raffle

    def pick_raffle(self, raffle_id: int) -> Turn:
        raffle = self.selling_raffle(raffle_id)
        if isinstance(raffle, Turn):
            return raffle
        want = self.ctx.get("want") if self.state == BROWSING else None
        self.state, self.ctx = RAFFLE, {"raffle": raffle.id}
        if want and "qty" in want:
            return self.random(raffle.id, want["qty"])
        if want and "numbers" in want:
            return self.numbers(raffle.id, tuple(want["numbers"]), typed=False)
        return self.out(with_photo(raffle, screens.raffle_details(raffle)))

    def named_raffle(self, text: str) -> RaffleView | None:
        """The one raffle on sale whose name the text holds ("quiero la Bici" → Bici)."""
        said = set(buyer_text.tokens(text))
        found = []
        for raffle in self.selling()[0]:
            name = _name_tokens(raffle)
            if name and name <= said:
                found.append(raffle)
        return found[0] if len(found) == 1 else None

    def named_request(self, text: str) -> Turn | None:
        """A raffle's name with numbers or "random N" ("Bike 5 12", "2 al azar de la Bici"):
        that request, in that raffle. None when the text is not one."""
        raffle = self.named_raffle(text)
        if raffle is None:
            return None
        name = _name_tokens(raffle)
        rest = " ".join(t for t in buyer_text.tokens(text) if t not in name)
        request = buyer_text.parse(rest)
        if isinstance(request, buyer_text.NumbersRequest):
            self.state, self.ctx = RAFFLE, {"raffle": raffle.id}
            return self.numbers(raffle.id, request.numbers, typed=True, confirm=request.ranged)
        if isinstance(request, buyer_text.RandomRequest) and request.qty is not None:
            self.state, self.ctx = RAFFLE, {"raffle": raffle.id}
            return self.random(raffle.id, request.qty)
        return None

    def ask(self, raffle_id: int, what: str) -> Turn:
        raffle = self.selling_raffle(raffle_id)
        if isinstance(raffle, Turn):
            return raffle
        replies = screens.ask_quantity(raffle) if what == "qty" else screens.ask_numbers(raffle)
        return self.out(replies, RAFFLE, {"raffle": raffle.id, "ask": what})

    def resolve_raffle(self, raffle_id: int | None, want: dict[str, Any]) -> RaffleView | Turn:
        """The raffle a request is for: the one given, the one in context, the only one on
        sale; otherwise ask which (keeping the request to carry it out after the pick)."""
        if raffle_id is None and self.state != BROWSING:
            raffle_id = self.ctx.get("raffle")
        if raffle_id is None:
            raffles, total = self.selling()
            if total == 1:
                raffle_id = raffles[0].id
            elif total == 0:
                return self.out(screens.no_raffles(), START, {})
            else:
                return self.raffles(1, want=want)
        return self.selling_raffle(raffle_id)


def _name_tokens(raffle: RaffleView) -> set[str]:
    return {t for t in buyer_text.tokens(raffle.title) if len(t) > 2 or t.isdigit()}
