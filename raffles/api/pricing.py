"""/api/raffles/{raffle_id}/prices/, …/quote/, …/coupons/ and /api/orders/{order_id}/coupon/:
bundles, the early-bird price, coupons, and what an order of N tickets costs.

config/api.py mounts `router` at "/". Thin: the rule is `raffles.pricing.quote`, the writes
are `raffles.services.pricing`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from raffles import selectors
from raffles.api.common import TO_WHOLE_NUMBER, DateTime, actor, id_path, read, write
from raffles.api.schemas import CouponCode, OrderDetailOut, Price
from raffles.exceptions import CouponUnusable, RaffleNotFound
from raffles.models import Coupon, Order, Raffle
from raffles.pricing import MAX_TIERS, Quote
from raffles.services import pricing

router = Router(tags=["prices"])

RaffleId = id_path("Raffle id.")
CouponId = id_path("Coupon id.")
OrderId = id_path("Order id.")
MAX_QUOTE = 10_000
TierSize = Annotated[int, Field(strict=True, ge=2, le=1_000_000), TO_WHOLE_NUMBER]
Uses = Annotated[int, Field(strict=True, ge=1, le=2_000_000_000), TO_WHOLE_NUMBER]


class TierIO(Schema):
    model_config = ConfigDict(extra="forbid")

    quantity: TierSize = Field(description="Tickets in the bundle (2 or more).")
    price: Price


class TierOut(Schema):
    quantity: int
    price: Decimal


class PricesOut(Schema):
    raffle_id: int
    currency: str
    ticket_price: Decimal
    tiers: list[TierOut] = Field(description="Bundles, smallest first.")
    early_bird_price: Decimal | None
    early_bird_until: datetime | None
    early_bird_active: bool = Field(description="The early-bird price applies now.")


class PricesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    tiers: list[TierIO] = Field(default_factory=list, max_length=MAX_TIERS)
    early_bird_price: Price | None = None
    early_bird_until: DateTime | None = None


class PartOut(Schema):
    size: int = Field(description="Tickets in each: a bundle's size, or 1.")
    count: int = Field(description="How many times.")
    price: Decimal = Field(description="The price of each.")
    bundle: bool


class LineOut(Schema):
    kind: Literal["bundle", "early_bird", "coupon"]
    amount: Decimal = Field(description="Taken off the list price.")
    quantity: int
    count: int
    code: str


class QuoteOut(Schema):
    qty: int
    currency: str
    list_price: Decimal = Field(description="qty × the ticket price.")
    subtotal: Decimal = Field(description="After bundles and the early bird.")
    discount: Decimal
    total: Decimal
    parts: list[PartOut]
    lines: list[LineOut]


class QuoteFilters(Schema):
    qty: int = Field(..., ge=0, le=MAX_QUOTE, description="How many tickets.")
    coupon: CouponCode | None = Field(None, description="A coupon code to try (not used up).")


class CouponOut(Schema):
    id: int
    raffle_id: int
    code: str
    kind: Literal["percent", "fixed"]
    value: Decimal
    max_uses: int | None
    used_count: int
    remaining: int | None = Field(description="Uses left; null: no limit.")
    ends_at: datetime | None
    active: bool
    created_at: datetime


class CouponIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: CouponCode
    kind: Literal["percent", "fixed"]
    value: Price = Field(description="Percent off (at most 100) or an amount off.")
    max_uses: Uses | None = None
    ends_at: DateTime | None = None


class CouponPatch(Schema):
    """Only the fields sent change. The code and the discount never change (orders carry
    the discount they got): create another coupon for another discount."""

    model_config = ConfigDict(extra="forbid")

    # Not nullable: `null` is refused; leave it out to keep the state. None only marks it
    # left out (pydantic never validates it, the view drops it: exclude_unset).
    active: Annotated[bool, Field(strict=True)] = Field(  # type: ignore[assignment]
        None, description="false: disable (no new uses); true: enable again."
    )
    # Nullable: `null` clears them.
    max_uses: Uses | None = Field(
        None,
        description="The new usage limit, no fewer than the uses already counted (400"
        " `invalid` with `field`: max_uses otherwise); null: no limit.",
    )
    ends_at: DateTime | None = Field(
        None, description="The new end date (a past one ends the coupon now); null: no end."
    )


class ApplyCouponIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: CouponCode


def _raffle(raffle_id: int) -> Raffle:
    raffle = selectors.raffle_by_id(raffle_id)
    if raffle is None:
        raise RaffleNotFound(f"Raffle {raffle_id} does not exist")
    return raffle


def _prices(raffle: Raffle) -> PricesOut:
    return PricesOut(
        raffle_id=raffle.pk,
        currency=raffle.currency,
        ticket_price=raffle.ticket_price,
        tiers=[TierOut(quantity=t.quantity, price=t.price) for t in raffle.tiers],
        early_bird_price=raffle.early_bird_price,
        early_bird_until=raffle.early_bird_until,
        early_bird_active=raffle.early_bird_on(),
    )


def _quote(raffle: Raffle, price: Quote) -> QuoteOut:
    return QuoteOut(
        qty=price.qty,
        currency=raffle.currency,
        list_price=price.list_price,
        subtotal=price.subtotal,
        discount=price.discount,
        total=price.total,
        parts=[
            PartOut(size=p.size, count=p.count, price=p.price, bundle=p.bundle) for p in price.parts
        ],
        lines=[
            LineOut(
                kind=x.kind.value, amount=x.amount, quantity=x.quantity, count=x.count, code=x.code
            )
            for x in price.lines
        ],
    )


@router.get("/raffles/{raffle_id}/prices/", response=read(PricesOut, 404))
def get_raffle_prices(request: HttpRequest, raffle_id: int = RaffleId) -> PricesOut:
    """The ticket price, the bundles and the early-bird price."""
    return _prices(_raffle(raffle_id))


@router.put("/raffles/{raffle_id}/prices/", response=write(PricesOut, 404, 409))
def set_raffle_prices(
    request: HttpRequest, payload: PricesIn, raffle_id: int = RaffleId
) -> PricesOut:
    """Replace the bundles and the early-bird price (send both its price and its date, or
    neither). Each bundle must cost less than its tickets bought singly."""
    raffle = pricing.set_prices(
        raffle=_raffle(raffle_id),
        tiers=[t.model_dump() for t in payload.tiers],
        early_bird_price=payload.early_bird_price,
        early_bird_until=payload.early_bird_until,
        by=actor(request),
    )
    return _prices(raffle)


@router.get("/raffles/{raffle_id}/quote/", response=read(QuoteOut, 404, 409))
def quote_raffle_price(
    request: HttpRequest, filters: Query[QuoteFilters], raffle_id: int = RaffleId
) -> QuoteOut:
    """What `qty` tickets cost now: the cheapest bundles, the early bird, and a coupon if
    given (checked, not used up: 404 unknown, 409 not usable)."""
    raffle = _raffle(raffle_id)
    terms = None
    if filters.coupon:
        coupon = pricing.find_coupon(raffle.pk, filters.coupon)
        if not coupon.is_usable():
            raise CouponUnusable(coupon.code, pricing.why_unusable(coupon, timezone.now()))
        terms = coupon.terms
    return _quote(raffle, raffle.quote(filters.qty, coupon=terms))


@router.get("/raffles/{raffle_id}/coupons/", response=read(list[CouponOut], 404))
def list_coupons(request: HttpRequest, raffle_id: int = RaffleId) -> list[Coupon]:
    """The raffle's coupons with their usage, by code."""
    return list(_raffle(raffle_id).coupons.order_by("code"))


@router.post("/raffles/{raffle_id}/coupons/", response=write(CouponOut, 404, 409, status=201))
def create_coupon(
    request: HttpRequest, payload: CouponIn, raffle_id: int = RaffleId
) -> Status[Coupon]:
    """A new coupon (409 when the raffle already has that code, in any case)."""
    coupon = pricing.create_coupon(
        raffle=_raffle(raffle_id), by=actor(request), **payload.model_dump()
    )
    return Status(201, coupon)


@router.patch("/raffles/{raffle_id}/coupons/{coupon_id}/", response=write(CouponOut, 404))
def update_coupon(
    request: HttpRequest, payload: CouponPatch, raffle_id: int = RaffleId, coupon_id: int = CouponId
) -> Coupon:
    """Edit a coupon: its usage limit (`max_uses`, not below the uses counted; null: none),
    its end date (`ends_at`; null: none), or its state (`{"active": false}` disables it,
    `true` enables it again). Only the fields sent change; the code and the discount never
    do."""
    coupon = Coupon.objects.filter(raffle_id=raffle_id, pk=coupon_id).first()
    if coupon is None:
        raise Http404(f"Coupon {coupon_id} of raffle {raffle_id} does not exist")
    changes = payload.model_dump(exclude_unset=True)
    return pricing.update_coupon(coupon=coupon, by=actor(request), **changes)


@router.post("/orders/{order_id}/coupon/", response=write(OrderDetailOut, 404, 409))
def apply_order_coupon(
    request: HttpRequest, payload: ApplyCouponIn, order_id: int = OrderId
) -> Order:
    """Apply a coupon to an order waiting for payment (before its proof): its total goes
    down and the coupon counts one use (409 when used up, expired or disabled)."""
    order = selectors.order_detail(order_id)
    if order is None:
        raise Http404(f"Order {order_id} does not exist")
    pricing.apply_coupon(order=order, code=payload.code, by=actor(request))
    return selectors.order_detail(order_id) or order
