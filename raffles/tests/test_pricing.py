"""The price rule (`raffles.pricing.quote`): examples and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from raffles.pricing import (
    CouponKind,
    CouponTerms,
    LineKind,
    PriceTier,
    quote,
    tiers_from_json,
    tiers_to_json,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
TEN = Decimal("10.00")
TIERS = (PriceTier(3, Decimal("25.00")), PriceTier(10, Decimal("70.00")))


def q(qty, **kw):
    kw.setdefault("ticket_price", TEN)
    kw.setdefault("tiers", TIERS)
    return quote(qty, at=kw.pop("at", NOW), **kw)


def test_single_tickets_cost_the_ticket_price():
    price = quote(2, ticket_price=TEN, at=NOW)
    assert (price.list_price, price.total, price.lines) == (Decimal(20), Decimal(20), ())


def test_four_is_one_bundle_of_three_and_one_single():
    price = q(4)
    assert price.total == Decimal("35.00")
    assert [(p.size, p.count, p.bundle) for p in price.parts] == [(3, 1, True), (1, 1, False)]
    assert price.lines[0].kind is LineKind.BUNDLE
    assert price.lines[0].amount == Decimal("5.00")
    assert price.list_price - sum(x.amount for x in price.lines) == price.total


def test_the_cheapest_combination_not_the_greedy_one():
    # Greedy takes the 4-bundle first: 4+1+1 = 29; two 3-bundles cost 24.
    tiers = (PriceTier(3, Decimal("12.00")), PriceTier(4, Decimal("17.00")))
    price = quote(6, ticket_price=Decimal(5), tiers=tiers, at=NOW)
    assert price.total == Decimal("24.00")
    assert [(p.size, p.count) for p in price.parts] == [(3, 2)]


def test_twenty_three_tickets():
    assert q(23).total == Decimal("70") * 2 + Decimal("25") + Decimal("0")


def test_early_bird_price_until_its_date():
    until = NOW + timedelta(hours=1)
    early = q(2, tiers=(), early_bird_price=Decimal("8.00"), early_bird_until=until)
    assert early.total == Decimal("16.00")
    assert early.lines[0].kind is LineKind.EARLY_BIRD
    late = q(2, tiers=(), early_bird_price=Decimal("8.00"), early_bird_until=until, at=until)
    assert late.total == Decimal("20.00")


def test_early_bird_singles_beside_bundles():
    until = NOW + timedelta(days=1)
    price = q(4, early_bird_price=Decimal("9.00"), early_bird_until=until)
    assert price.total == Decimal("34.00")  # 25 + 9
    assert {x.kind for x in price.lines} == {LineKind.BUNDLE, LineKind.EARLY_BIRD}


def test_percent_coupon_rounds_half_up_on_the_subtotal():
    price = q(
        1,
        tiers=(),
        ticket_price=Decimal("3.33"),
        coupon=CouponTerms("HALF", CouponKind.PERCENT, Decimal(50)),
    )
    assert price.coupon_discount == Decimal("1.67")
    assert price.total == Decimal("1.66")


def test_fixed_coupon_never_makes_the_total_negative():
    price = q(1, coupon=CouponTerms("BIG", CouponKind.FIXED, Decimal(500)))
    assert price.total == Decimal("0.00")
    assert price.coupon_discount == Decimal("10.00")


def test_tiers_round_trip_through_json():
    assert tiers_from_json(tiers_to_json(reversed(TIERS))) == TIERS
    assert tiers_from_json("nonsense") == ()


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2)
tiers = st.lists(
    st.builds(PriceTier, st.integers(2, 12), money), max_size=4, unique_by=lambda t: t.quantity
)
coupons = st.none() | st.builds(
    CouponTerms,
    st.just("C"),
    st.sampled_from(CouponKind),
    st.decimals(min_value=0, max_value=100, places=2),
)
early = st.none() | money


@given(st.integers(0, 40), money, tiers, early, coupons, st.booleans())
def test_total_between_zero_and_list_price(qty, price, tiers, early_price, coupon, before):
    until = NOW + timedelta(days=1 if before else -1)
    got = quote(
        qty,
        ticket_price=price,
        tiers=tiers,
        early_bird_price=early_price,
        early_bird_until=until,
        coupon=coupon,
        at=NOW,
    )
    assert Decimal(0) <= got.total <= got.subtotal <= got.list_price
    assert got.list_price == price * qty
    assert got.list_price - sum(x.amount for x in got.lines) == got.total
    assert all(x.amount > 0 for x in got.lines)
    assert sum(p.size * p.count for p in got.parts) == qty


@given(st.integers(0, 20), st.integers(0, 20), money, tiers)
def test_buying_together_never_costs_more_than_apart(a, b, price, tiers):
    def cost(n):
        return quote(n, ticket_price=price, tiers=tiers, at=NOW).total

    assert cost(a + b) <= cost(a) + cost(b)


@given(st.integers(0, 30), money, tiers, tiers)
def test_another_bundle_never_raises_the_price(qty, price, tiers, more):
    sizes = {t.quantity for t in tiers}
    extra = [t for t in more if t.quantity not in sizes]
    before = quote(qty, ticket_price=price, tiers=tiers, at=NOW).total
    after = quote(qty, ticket_price=price, tiers=[*tiers, *extra], at=NOW).total
    assert after <= before


@given(st.integers(0, 30), money, tiers, money, coupons)
def test_the_early_bird_never_costs_more_than_after_it(qty, price, tiers, early_price, coupon):
    kw = {
        "ticket_price": price,
        "tiers": tiers,
        "early_bird_price": early_price,
        "early_bird_until": NOW,
        "coupon": coupon,
    }
    assert quote(qty, at=NOW - timedelta(seconds=1), **kw).total <= quote(qty, at=NOW, **kw).total


@given(st.integers(0, 30), money, tiers, coupons)
def test_a_coupon_never_raises_the_price(qty, price, tiers, coupon):
    kw = {"ticket_price": price, "tiers": tiers, "at": NOW}
    assert quote(qty, coupon=coupon, **kw).total <= quote(qty, **kw).total
