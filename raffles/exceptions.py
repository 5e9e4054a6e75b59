"""Domain errors. Each carries what a person needs to fix the problem.

The API maps them to 4xx (`code` and `to_dict()`), the bot to a friendly reply, the portal
shows them inline. Services raise them; they never return HTTP responses.
"""

from __future__ import annotations

from typing import Any


class RaffleError(Exception):
    """Base class of every domain error."""

    code = "raffle_error"
    http_status = 409

    def __init__(self, message: str = "", **fields: Any) -> None:
        super().__init__(message or self.__doc__ or self.code)
        self.message = message or (self.__doc__ or self.code).strip()
        self.fields = fields

    def to_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.fields}


class InvalidInput(RaffleError):
    """The request is not valid."""

    code = "invalid"
    http_status = 400


class RaffleNotFound(RaffleError):
    """That raffle does not exist."""

    code = "raffle_not_found"
    http_status = 404


class RaffleNotActive(RaffleError):
    """That raffle is not selling tickets right now."""

    code = "raffle_not_active"


class NumbersOutOfRange(RaffleError):
    """Some numbers are outside the raffle's range."""

    code = "numbers_out_of_range"
    http_status = 400

    def __init__(self, numbers: list[int], min_number: int, max_number: int) -> None:
        super().__init__(
            f"Numbers out of range {min_number}-{max_number}: {', '.join(map(str, numbers))}",
            numbers=numbers,
            min_number=min_number,
            max_number=max_number,
        )
        self.numbers = numbers
        self.min_number = min_number
        self.max_number = max_number


class DuplicateNumbers(RaffleError):
    """The same number was asked for more than once."""

    code = "duplicate_numbers"
    http_status = 400

    def __init__(self, numbers: list[int]) -> None:
        super().__init__(f"Numbers repeated: {', '.join(map(str, numbers))}", numbers=numbers)
        self.numbers = numbers


class QuantityOutOfBounds(RaffleError):
    """Too few or too many tickets in one order."""

    code = "quantity_out_of_bounds"
    http_status = 400

    def __init__(self, qty: int, maximum: int) -> None:
        super().__init__(
            f"An order takes 1 to {maximum} tickets, not {qty}", qty=qty, maximum=maximum
        )
        self.qty = qty
        self.maximum = maximum


class BuyerLimitExceeded(RaffleError):
    """The buyer would hold more tickets of this raffle than allowed."""

    code = "buyer_limit_exceeded"

    def __init__(self, limit: int, already: int, requested: int) -> None:
        super().__init__(
            f"Each buyer may hold at most {limit} tickets; you hold {already}"
            f" and asked for {requested}",
            limit=limit,
            already=already,
            requested=requested,
            remaining=max(limit - already, 0),
        )
        self.limit = limit
        self.already = already
        self.requested = requested
        self.remaining = max(limit - already, 0)


class NumbersTaken(RaffleError):
    """Some requested numbers are reserved or sold. Nothing was reserved."""

    code = "numbers_taken"

    def __init__(self, taken: list[int], alternatives: list[int]) -> None:
        super().__init__(
            f"Numbers already taken: {', '.join(map(str, taken))}",
            taken=taken,
            alternatives=alternatives,
        )
        self.taken = taken
        self.alternatives = alternatives


class NotEnoughNumbers(RaffleError):
    """Fewer numbers are available than were asked for. Nothing was reserved."""

    code = "not_enough_numbers"

    def __init__(self, requested: int, remaining: int) -> None:
        super().__init__(
            f"Only {remaining} numbers are left; {requested} were asked for",
            requested=requested,
            remaining=remaining,
        )
        self.requested = requested
        self.remaining = remaining


class InvalidOrderState(RaffleError):
    """The order is not in a state that allows this."""

    code = "invalid_order_state"

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"Cannot {action} an order that is {status}", action=action, status=status)
        self.action = action
        self.status = status


class UnconfirmedOrderExists(RaffleError):
    """The buyer already has an unconfirmed order in this raffle: keep it, change it, or add
    another order explicitly. Nothing was reserved."""

    code = "unconfirmed_order_exists"

    def __init__(self, codes: list[str]) -> None:
        super().__init__("Unconfirmed orders in this raffle: " + ", ".join(codes), codes=codes)
        self.codes = codes


class NumbersNoLongerAvailable(RaffleError):
    """The order's hold ran out and some of its numbers went to someone else."""

    code = "numbers_no_longer_available"

    def __init__(self, numbers: list[int]) -> None:
        super().__init__(
            "The hold expired and these numbers now belong to another order: "
            + ", ".join(map(str, numbers)),
            numbers=numbers,
        )
        self.numbers = numbers


class InvalidRaffleState(RaffleError):
    """The raffle is not in a state that allows this."""

    code = "invalid_raffle_state"

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"Cannot {action} a raffle that is {status}", action=action, status=status)
        self.action = action
        self.status = status


class TicketsNotGenerated(RaffleError):
    """The raffle's numbers have not been generated yet."""

    code = "tickets_not_generated"


class RaffleHasSales(RaffleError):
    """The raffle has reserved or sold numbers."""

    code = "raffle_has_sales"


# --- Draws (raffles/services/draws.py) --------------------------------------------------


class DrawNotFound(RaffleError):
    """This raffle has no draw yet: it was never activated."""

    code = "draw_not_found"
    http_status = 404


class RaffleNotClosed(RaffleError):
    """Sales must be closed before the list of sold numbers is frozen and drawn."""

    code = "raffle_not_closed"

    def __init__(self, status: str) -> None:
        super().__init__(f"Close sales before the draw; the raffle is {status}", status=status)
        self.status = status


class PaymentsPending(RaffleError):
    """Some orders may still be paid: proofs wait for review or holds are still running."""

    code = "payments_pending"

    def __init__(self, orders: list[str]) -> None:
        super().__init__(
            f"{len(orders)} orders may still be paid (proofs waiting for review or holds"
            f" still running): {', '.join(orders)}. Review them, wait for the holds to end,"
            " or exclude them from the draw explicitly",
            orders=orders,
        )
        self.orders = orders


class NoEntries(RaffleError):
    """No number of this raffle was paid for: there is nothing to draw."""

    code = "no_entries"


class TooManyPrizes(RaffleError):
    """More prizes were asked for than there are numbers taking part."""

    code = "too_many_prizes"
    http_status = 400

    def __init__(self, prizes: int, entries: int) -> None:
        super().__init__(
            f"Cannot draw {prizes} prizes from {entries} numbers taking part",
            prizes=prizes,
            entries=entries,
        )
        self.prizes = prizes
        self.entries = entries


class AlreadyDrawn(RaffleError):
    """The raffle was already drawn with other parameters. The result never changes."""

    code = "already_drawn"

    def __init__(self, external_value: str, prizes: int) -> None:
        super().__init__(
            f"The raffle was already drawn with external value {external_value!r} and"
            f" {prizes} prizes; a draw cannot be repeated with other parameters",
            external_value=external_value,
            prizes=prizes,
        )
        self.external_value = external_value
        self.prizes = prizes


class EntriesFrozen(RaffleError):
    """The list of numbers taking part in the draw is frozen: payments can't change it."""

    code = "entries_frozen"


class ClaimClosed(RaffleError):
    """This prize can no longer be claimed (the deadline passed, or staff closed it)."""

    code = "claim_closed"

    def __init__(self, status: str) -> None:
        super().__init__(f"The claim is {status}", status=status)
        self.status = status


class StatementLineConflict(RaffleError):
    """The bank statement line cannot be assigned: it is already decided, or it names no
    order and none was given."""

    code = "statement_line_conflict"


# --- Prices and coupons (raffles/services/pricing.py) -------------------------------------


class CouponNotFound(RaffleError):
    """No coupon with that code for this raffle."""

    code = "coupon_not_found"
    http_status = 404

    def __init__(self, coupon_code: str) -> None:
        super().__init__(f"No coupon {coupon_code} for this raffle", coupon_code=coupon_code)
        self.coupon_code = coupon_code


class CouponUnusable(RaffleError):
    """The coupon cannot be used: `reason` is disabled, expired or used_up."""

    code = "coupon_unusable"

    def __init__(self, coupon_code: str, reason: str) -> None:
        super().__init__(
            f"Coupon {coupon_code} cannot be used ({reason.replace('_', ' ')})",
            coupon_code=coupon_code,
            reason=reason,
        )
        self.coupon_code = coupon_code
        self.reason = reason


class CouponCodeTaken(RaffleError):
    """The raffle already has a coupon with that code."""

    code = "coupon_code_taken"

    def __init__(self, coupon_code: str) -> None:
        super().__init__(
            f"This raffle already has a coupon {coupon_code}", coupon_code=coupon_code, field="code"
        )
        self.coupon_code = coupon_code


class SellerRefused(RaffleError):
    """The seller cannot be saved: their code is another seller's, or the user is no staff."""

    code = "seller_refused"
    http_status = 409
