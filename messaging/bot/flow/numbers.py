"""Choosing numbers: specific numbers, a random quantity, and the answer to a reservation."""

from __future__ import annotations

from collections.abc import Sequence

from messaging.bot.flow import buyer_text, screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import (
    Reserve,
)
from messaging.bot.flow.snapshots import OrderView, RaffleView
from messaging.bot.flow.states import (
    CONFIRM,
    MAX_OFFER,
    MAX_WANT,
    PAYMENT,
    RAFFLE,
    REVIEW,
    START,
)
from raffles import exceptions as errors


class ChooseNumbers(ConversationBase):
    """Numbers typed or tapped, random quantities, and settling a reservation."""

    def reserve(
        self,
        raffle: RaffleView,
        numbers: Sequence[int] = (),
        qty: int = 0,
        *,
        change: str = "",
        add: bool = False,
    ) -> Turn:
        """Reserve, unless the buyer already holds numbers in this raffle and did not say
        what to do with them: then ask (keep, change, add another order), never replace or
        add silently."""
        if not change and not add:
            holds = self.q.unconfirmed_orders(raffle.id)
            if holds:
                return self.out(screens.ask_change(raffle, holds, numbers, qty))
        return self.effect(
            Reserve(raffle.id, numbers=tuple(sorted(numbers)), qty=qty, replace=change, add=add)
        )

    def numbers(
        self,
        raffle_id: int | None,
        numbers: Sequence[int],
        *,
        typed: bool,
        change: str = "",
        add: bool = False,
    ) -> Turn:
        if typed and self.state in (PAYMENT, REVIEW):
            order = self.ctx_order()
            if order is not None and order.accepts_proof:
                return self.out(screens.payment_reference(order))
        raffle = self.resolve_raffle(raffle_id, {"numbers": list(numbers)[:MAX_WANT]})
        if isinstance(raffle, Turn):
            return raffle
        stay = {"raffle": raffle.id, "ask": "numbers"}
        repeated = buyer_text.duplicates(numbers)
        if repeated:
            return self.out(screens.duplicate_numbers(raffle, numbers, repeated), RAFFLE, stay)
        bad = sorted(n for n in numbers if not raffle.min_number <= n <= raffle.max_number)
        if bad:
            return self.out(screens.out_of_range(raffle, bad), RAFFLE, stay)
        if len(numbers) > raffle.max_per_order:
            return self.out(screens.too_many(raffle, len(numbers)), RAFFLE, stay)
        return self.reserve(raffle, numbers, change=change, add=add)

    def random(
        self, raffle_id: int | None, qty: int | None, *, change: str = "", add: bool = False
    ) -> Turn:
        raffle = self.resolve_raffle(raffle_id, {"qty": qty} if qty and qty > 0 else {})
        if isinstance(raffle, Turn):
            return raffle
        if qty is None:
            return self.out(
                screens.ask_quantity(raffle), RAFFLE, {"raffle": raffle.id, "ask": "qty"}
            )
        stay = {"raffle": raffle.id, "ask": "qty"}
        if qty < 1:
            return self.out(screens.too_few(), RAFFLE, stay)
        if qty > raffle.max_per_order:
            return self.out(
                screens.ask_quantity(raffle, screens.too_many(raffle, qty)[0].body.split("\n")[0]),
                RAFFLE,
                stay,
            )
        if qty > raffle.left:
            return self.out(screens.only_left(raffle, qty, change=change, add=add), RAFFLE, stay)
        return self.reserve(raffle, qty=qty, change=change, add=add)

    def quantity_or_number(self, value: int) -> Turn:
        if self.state == RAFFLE and self.ctx.get("ask") == "qty":
            return self.random(None, value)
        if self.state == RAFFLE and self.ctx.get("ask") == "numbers":
            return self.numbers(None, (value,), typed=True)
        raffle = self.resolve_raffle(None, {"qty": value} if value > 0 else {})
        if isinstance(raffle, Turn):
            return raffle
        return self.out(screens.clarify_quantity(raffle, value), RAFFLE, {"raffle": raffle.id})

    def too_many(self, count: int) -> Turn:
        raffle = self.q.raffle(self.ctx["raffle"]) if "raffle" in self.ctx else None
        return self.out(screens.too_many(raffle, count))

    def after_reserve(self, effect: Reserve, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            return self.reserved(effect, result)
        raffle = self.q.raffle(effect.raffle_id)
        rid = effect.raffle_id
        retry = {"raffle": rid, "ask": "qty" if effect.qty else "numbers"}
        if raffle is not None and isinstance(
            result, errors.UnconfirmedOrderExists | errors.InvalidOrderState
        ):
            # A hold changed meanwhile (another one made, a proof sent): ask again.
            holds = self.q.unconfirmed_orders(rid)
            if holds:
                return self.out(
                    screens.ask_change(raffle, holds, effect.numbers, effect.qty), RAFFLE, retry
                )
        if isinstance(result, errors.NumbersTaken):
            taken = sorted(result.taken)
            rest = [n for n in effect.numbers if n not in set(taken)]
            alternatives = list(result.alternatives)[:MAX_OFFER]
            context = {**retry, **({"offer": alternatives} if alternatives else {})}
            return self.out(
                screens.numbers_taken(
                    raffle, rid, taken, rest, alternatives, change=effect.replace, add=effect.add
                ),
                RAFFLE,
                context,
            )
        if isinstance(result, errors.RaffleNotActive | errors.RaffleNotFound):
            return self.not_selling(raffle)
        if isinstance(result, errors.NotEnoughNumbers):
            if result.remaining == 0 or raffle is None:
                return self.not_selling(raffle)
            return self.out(
                screens.only_left(
                    raffle,
                    result.requested,
                    result.remaining,
                    change=effect.replace,
                    add=effect.add,
                ),
                RAFFLE,
                retry,
            )
        if raffle is not None and isinstance(result, errors.NumbersOutOfRange):
            return self.out(screens.out_of_range(raffle, result.numbers), RAFFLE, retry)
        if raffle is not None and isinstance(result, errors.DuplicateNumbers):
            return self.out(
                screens.duplicate_numbers(raffle, effect.numbers, result.numbers), RAFFLE, retry
            )
        if isinstance(result, errors.QuantityOutOfBounds):
            count = result.qty or len(effect.numbers)
            return self.out(screens.too_many(raffle, count), RAFFLE, retry)
        if isinstance(result, errors.BuyerLimitExceeded):
            return self.out(
                screens.buyer_limit(result.limit, result.already, result.remaining), RAFFLE, retry
            )
        if isinstance(result, errors.InvalidOrderState) and effect.replace:
            # The hold being replaced changed meanwhile (paid, expired): show where things are.
            self.state, self.ctx = RAFFLE, retry
            return self.stay()
        return self.out(
            screens.reserve_failed(), RAFFLE if raffle else START, retry if raffle else {}
        )

    def reserved(self, effect: Reserve, order: OrderView) -> Turn:
        """The new hold, the one it replaced (if it really was released), and every other
        hold the buyer has."""
        old = self.q.order(effect.replace) if effect.replace else None
        replaced = old.code if old is not None and old.is_cancelled else ""
        others = [
            o for o in self.q.live_orders() if o.code != order.code and o.is_unconfirmed(self.q.now)
        ]
        return self.out(
            screens.reserved(order, self.q.now, replaced=replaced, others=others),
            CONFIRM,
            {"raffle": order.raffle_id, "order": order.code},
        )
