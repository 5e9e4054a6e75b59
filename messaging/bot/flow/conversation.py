"""What every topic of the conversation shares: the turn it returns, the state and context
it works on, the reads, and the prompt (what the bot waits for in each state).

Each topic (browse.py, numbers.py, orders.py, handover.py) is a mixin on ConversationBase;
machine.py puts them together and dispatches each event to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from messaging.bot.flow import screens
from messaging.bot.flow.effects import DomainEffect, Effect
from messaging.bot.flow.replies import MAX_ROWS, Reply
from messaging.bot.flow.snapshots import OrderView, Queries, RaffleView
from messaging.bot.flow.states import (
    BROWSING,
    CONFIRM,
    ORDER_STATES,
    RAFFLE,
    START,
    clean,
)


@dataclass(frozen=True)
class Turn:
    state: str
    context: dict[str, Any]
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default=())

    @property
    def domain_effect(self) -> DomainEffect | None:
        return next(
            (e for e in self.effects if isinstance(e, DomainEffect)),
            None,
        )


class ConversationBase:
    def __init__(self, state: str, context: dict[str, Any], q: Queries) -> None:
        self.state = state
        self.ctx = context
        self.q = q
        self.first = False  # the contact's first message: the prompt is the welcome

    if TYPE_CHECKING:  # the topics call each other; machine.Conversation has them all

        def menu(self) -> Turn: ...
        def raffles(self, page: int, want: dict[str, Any] | None = None) -> Turn: ...
        def not_selling(self, raffle: RaffleView | None) -> Turn: ...
        def pick_raffle(self, raffle_id: int) -> Turn: ...
        def resolve_raffle(
            self, raffle_id: int | None, want: dict[str, Any]
        ) -> RaffleView | Turn: ...
        def selling_raffle(self, raffle_id: int | None) -> RaffleView | Turn: ...
        def numbers(
            self,
            raffle_id: int | None,
            numbers: Sequence[int],
            *,
            typed: bool,
            confirm: bool = False,
        ) -> Turn: ...
        def random(self, raffle_id: int | None, qty: int | None) -> Turn: ...
        def confirm(self, code: str) -> Turn: ...
        def proof_target(self) -> OrderView | None: ...

    def forget_closed_order(self) -> None:
        """A paid or cancelled order (staff acted meanwhile) is no longer "in progress"."""
        if self.state in ORDER_STATES:
            order = self.ctx_order()
            if order is None or order.is_final:
                self.state, self.ctx = START, {}

    # Turn helpers
    def out(
        self,
        replies: Sequence[Reply],
        state: str | None = None,
        context: dict[str, Any] | None = None,
        effects: Sequence[Effect] = (),
    ) -> Turn:
        new_state = self.state if state is None else state
        new_ctx = dict(self.ctx) if context is None else context
        new_state, new_ctx = clean(new_state, new_ctx)
        return Turn(new_state, new_ctx, tuple(replies), tuple(effects))

    def effect(self, effect: Effect) -> Turn:
        return Turn(self.state, dict(self.ctx), (), (effect,))

    def stay(self, lead: str = "") -> Turn:
        return self.out(screens.lead(lead, self.prompt()))

    # Reads
    def selling(self, page: int = 1) -> tuple[Sequence[RaffleView], int]:
        """One page of the raffles on sale (all of them when they fit in one list)."""
        first, total = self.q.selling_raffles(0, MAX_ROWS)  # one read when they fit
        if total <= MAX_ROWS:
            return first, total
        size = screens.PAGE_SIZE
        page = min(max(page, 1), screens.page_count(total))
        if page == 1:
            return first[:size], total
        return self.q.selling_raffles((page - 1) * size, size)

    def ctx_order(self) -> OrderView | None:
        code = self.ctx.get("order")
        return self.q.order(code) if code else None

    # --- Prompts ----------------------------------------------------------------------------

    def prompt(self) -> tuple[Reply, ...]:
        """What the bot is waiting for in this state, with the buttons to go on."""
        if self.state == BROWSING:
            raffles, total = self.selling(self.ctx.get("page", 1))
            if total:
                return (screens.raffle_list(raffles, self.ctx.get("page", 1), total),)
            return screens.no_raffles()
        if self.state == RAFFLE:
            raffle = self.q.raffle(self.ctx["raffle"])
            if raffle is not None and raffle.selling and raffle.left:
                if self.ctx.get("ask") == "qty":
                    return screens.ask_quantity(raffle)
                return screens.ask_numbers(raffle)
        if self.state in ORDER_STATES:
            order = self.ctx_order()
            if order is not None and order.is_live and not order.hold_expired(self.q.now):
                if order.proof_received:
                    return screens.already_reviewing(order)
                if self.state == CONFIRM:
                    return screens.reserved(order, self.q.now)
                return screens.payment(order, self.q.now)
        if self.first:
            raffles, total = self.selling()
            return screens.main_menu(self.q.buyer_name, raffles, total, self.q.live_orders())
        return screens.menu_buttons(_what_now())


def _what_now() -> str:
    return _("What would you like to do?")
