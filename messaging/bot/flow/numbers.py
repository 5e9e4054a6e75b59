"""Choosing numbers: specific numbers, a random quantity, and the answer to a reservation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

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

# The same random request this soon after the hold it made is a double tap (or a message sent
# twice), not a wish for other numbers.
REPEAT_WINDOW = timedelta(minutes=5)


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
        beside: str = "",
        confirm: bool = False,
    ) -> Turn:
        """Reserve, unless the request repeats the one that made her newest hold (a double
        tap: answered with that hold), or she already holds numbers in this raffle and did
        not say what to do with them: then ask (keep, change, add another order), never
        replace or add silently. `confirm`: ask *Confirm* before the payment details."""
        holds = self.q.unconfirmed_orders(raffle.id)
        same = self.repeated(holds, numbers, qty, change=change, add=add, beside=beside)
        if same is not None:
            context = {"raffle": same.raffle_id, "order": same.code}
            if self.ctx.get("order") == same.code and "qty" in self.ctx:
                context["qty"] = self.ctx["qty"]
            return self.out(screens.same_hold(same, self.q.now), PAYMENT, context)
        if not change and not add and holds:
            return self.out(screens.ask_change(raffle, holds, numbers, qty))
        return self.effect(
            Reserve(
                raffle.id,
                numbers=tuple(sorted(numbers)),
                qty=qty,
                replace=change,
                add=add,
                confirm=confirm,
            )
        )

    def repeated(
        self,
        holds: Sequence[OrderView],
        numbers: Sequence[int],
        qty: int,
        *,
        change: str,
        add: bool,
        beside: str,
    ) -> OrderView | None:
        """The newest hold, when this request is the one that made it arriving again: the
        same numbers, or as many at random within `REPEAT_WINDOW`; for *Change*, once the
        order to change is gone; for *Add another order*, once a hold newer than the one the
        button was shown beside exists."""
        if not holds:
            return None
        newest = holds[0]
        if numbers:
            same = sorted(newest.raw_numbers) == sorted(numbers)
        else:
            made = newest.created_at
            fresh = made is not None and self.q.now - made <= REPEAT_WINDOW
            at_random = self.ctx.get("order") == newest.code and self.ctx.get("qty") == qty
            same = fresh and at_random
        if not same:
            return None
        if change:
            return newest if all(o.code != change for o in holds) else None
        if add:
            return newest if beside and newest.code != beside else None
        return newest

    def numbers(
        self,
        raffle_id: int | None,
        numbers: Sequence[int],
        *,
        typed: bool,
        change: str = "",
        add: bool = False,
        beside: str = "",
        confirm: bool = False,
    ) -> Turn:
        maybe_reference = False
        if typed and self.state in (PAYMENT, REVIEW):
            order = self.ctx_order()
            if order is not None and order.accepts_proof:
                if not self.could_be_numbers(order, numbers):
                    return self.out(screens.payment_reference(order))
                maybe_reference = True
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
        turn = self.reserve(raffle, numbers, change=change, add=add, beside=beside, confirm=confirm)
        if maybe_reference and turn.replies:
            replies = screens.lead(screens.maybe_reference(), turn.replies)
            return Turn(turn.state, turn.context, replies, turn.effects)
        return turn

    def could_be_numbers(self, order: OrderView, numbers: Sequence[int]) -> bool:
        """Numbers typed while an order waits for payment: numbers to reserve (asked about
        first) only when her hold can still change and they fit its raffle; otherwise they
        are read as a payment reference."""
        if self.state != PAYMENT or not order.can_be_replaced:
            return False
        if not order.is_holding(self.q.now):
            return False
        raffle = self.q.raffle(order.raffle_id)
        return (
            raffle is not None
            and raffle.selling
            and 0 < len(numbers) <= raffle.max_per_order
            and not buyer_text.duplicates(numbers)
            and all(raffle.min_number <= n <= raffle.max_number for n in numbers)
        )

    def random(
        self,
        raffle_id: int | None,
        qty: int | None,
        *,
        change: str = "",
        add: bool = False,
        beside: str = "",
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
        return self.reserve(raffle, qty=qty, change=change, add=add, beside=beside)

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
        context = {"raffle": order.raffle_id, "order": order.code}
        if effect.qty:
            context["qty"] = effect.qty
        if effect.confirm:
            return self.out(
                screens.reserved(order, self.q.now, replaced=replaced, others=others),
                CONFIRM,
                context,
            )
        return self.out(
            screens.reserved_to_pay(order, self.q.now, replaced=replaced, others=others),
            PAYMENT,
            context,
        )
