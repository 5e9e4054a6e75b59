"""The one price rule: what an order of `qty` tickets costs (bundles, early bird, coupon).

Pure: no database, no clock. Every caller (the reservation engine, coupons, the bot, the
portal, the API, the public page, receipts) gets its figures from `quote`.

The rule, for `qty` tickets:

1. **List price** = `qty` × the raffle's ticket price.
2. **Unit price** = the early-bird price while it is in effect (`at` before its end), else
   the ticket price (never more than the ticket price).
3. **Subtotal** = the cheapest way to make exactly `qty` tickets out of the bundles ("3 for
   25") and single tickets at the unit price, any bundle any number of times. Found exactly
   (a small dynamic programme over 0…qty, not greedily): 4 tickets with "3 for 25" and
   singles at 10 is one bundle and one single, 35. A bundle dearer than its tickets bought
   singly is never chosen.
4. **Coupon**: a percentage of the subtotal (rounded to cents, half up) or a fixed amount,
   never more than the subtotal.
5. **Total** = subtotal − coupon: never negative, never above the list price.

Discount lines say where each saving came from: one per bundle used (its tickets at the
ticket price minus the bundle's price), one for the early bird (the single tickets' saving),
one for the coupon. List price − the lines = total.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_TIERS = 10


class CouponKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class LineKind(enum.StrEnum):
    BUNDLE = "bundle"
    EARLY_BIRD = "early_bird"
    COUPON = "coupon"


@dataclass(frozen=True, slots=True)
class PriceTier:
    """A bundle: `quantity` tickets for `price`."""

    quantity: int
    price: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "price": str(self.price)}


@dataclass(frozen=True, slots=True)
class CouponTerms:
    """What a coupon takes off: `value` percent, or `value` in the raffle's currency."""

    code: str
    kind: CouponKind
    value: Decimal


@dataclass(frozen=True, slots=True)
class PricedPart:
    """`count` times `size` tickets at `price` each time (a bundle, or single tickets)."""

    size: int
    count: int
    price: Decimal
    bundle: bool

    @property
    def amount(self) -> Decimal:
        return self.price * self.count


@dataclass(frozen=True, slots=True)
class DiscountLine:
    kind: LineKind
    amount: Decimal  # positive: what is taken off
    quantity: int = 0  # bundle: its size; early bird: how many tickets
    count: int = 0  # bundle: how many times it was used
    code: str = ""  # coupon


@dataclass(frozen=True, slots=True)
class Quote:
    qty: int
    list_price: Decimal
    subtotal: Decimal  # after bundles and the early bird, before the coupon
    total: Decimal
    parts: tuple[PricedPart, ...] = ()
    lines: tuple[DiscountLine, ...] = field(default=())

    @property
    def discount(self) -> Decimal:
        return self.list_price - self.total

    @property
    def coupon_discount(self) -> Decimal:
        return sum((x.amount for x in self.lines if x.kind is LineKind.COUPON), ZERO)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def tiers_from_json(raw: object) -> tuple[PriceTier, ...]:
    """The bundles stored on a raffle (a JSON list of {quantity, price}), by size."""
    if not isinstance(raw, list):
        return ()
    tiers = [
        PriceTier(int(item["quantity"]), money(item["price"]))
        for item in raw
        if isinstance(item, dict)
    ]
    return tuple(sorted(tiers, key=lambda t: t.quantity))


def tiers_to_json(tiers: Iterable[PriceTier]) -> list[dict[str, Any]]:
    return [t.as_json() for t in sorted(tiers, key=lambda t: t.quantity)]


def unit_price(
    ticket_price: Decimal,
    early_bird_price: Decimal | None,
    early_bird_until: datetime | None,
    at: datetime,
) -> Decimal:
    """The price of one single ticket at `at`: the early bird's while it lasts."""
    if early_bird_price is not None and early_bird_until is not None and at < early_bird_until:
        return min(early_bird_price, ticket_price)
    return ticket_price


def early_bird_active(
    early_bird_price: Decimal | None, early_bird_until: datetime | None, at: datetime
) -> bool:
    return early_bird_price is not None and early_bird_until is not None and at < early_bird_until


def _cheapest(qty: int, unit: Decimal, tiers: Sequence[PriceTier]) -> list[PricedPart]:
    """The cheapest parts that make exactly `qty` tickets (ties: fewer, larger bundles)."""
    usable = [t for t in tiers if 0 < t.quantity <= qty]
    if not usable:  # single numbers only: no search (most raffles, on every reservation)
        return [PricedPart(1, qty, unit, False)]
    best: list[Decimal] = [ZERO] * (qty + 1)
    choice: list[int] = [0] * (qty + 1)  # 0: a single ticket; else the bundle's index + 1
    for n in range(1, qty + 1):
        best[n], choice[n] = best[n - 1] + unit, 0
        for i, tier in enumerate(usable):
            if tier.quantity <= n:
                cost = best[n - tier.quantity] + tier.price
                if cost <= best[n]:
                    best[n], choice[n] = cost, i + 1
    used: dict[int, int] = {}
    n = qty
    while n > 0:
        used[choice[n]] = used.get(choice[n], 0) + 1
        n -= usable[choice[n] - 1].quantity if choice[n] else 1
    parts = [
        PricedPart(usable[i - 1].quantity, count, usable[i - 1].price, True)
        for i, count in sorted(used.items(), key=lambda kv: -kv[0])
        if i
    ]
    parts.sort(key=lambda p: -p.size)
    if used.get(0):
        parts.append(PricedPart(1, used[0], unit, False))
    return parts


def coupon_amount(subtotal: Decimal, coupon: CouponTerms) -> Decimal:
    if coupon.kind is CouponKind.PERCENT:
        off = money(subtotal * min(max(coupon.value, ZERO), Decimal(100)) / 100)
    else:
        off = money(max(coupon.value, ZERO))
    return min(off, subtotal)


def quote(
    qty: int,
    *,
    ticket_price: Decimal,
    tiers: Sequence[PriceTier] = (),
    early_bird_price: Decimal | None = None,
    early_bird_until: datetime | None = None,
    coupon: CouponTerms | None = None,
    at: datetime,
) -> Quote:
    """What `qty` tickets cost at `at` (the rule: this module's docstring)."""
    if qty < 0:
        raise ValueError("qty must not be negative")
    price = money(ticket_price)
    unit = money(unit_price(price, early_bird_price, early_bird_until, at))
    list_price = price * qty
    parts = _cheapest(qty, unit, tiers) if qty else []
    subtotal = sum((p.amount for p in parts), ZERO)
    lines: list[DiscountLine] = []
    for part in parts:
        saving = (price * part.size - part.price) * part.count
        if part.bundle and saving > 0:
            lines.append(DiscountLine(LineKind.BUNDLE, saving, part.size, part.count))
        elif not part.bundle and saving > 0:
            lines.append(DiscountLine(LineKind.EARLY_BIRD, saving, part.count))
    total = subtotal
    if coupon is not None:
        off = coupon_amount(subtotal, coupon)
        if off > 0:
            lines.append(DiscountLine(LineKind.COUPON, off, code=coupon.code))
        total = subtotal - off
    return Quote(qty, list_price, subtotal, total, tuple(parts), tuple(lines))
