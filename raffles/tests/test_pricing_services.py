"""Bundles, early bird and coupons through the services, and orders priced by them."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from raffles import services
from raffles.exceptions import (
    CouponCodeTaken,
    CouponNotFound,
    CouponUnusable,
    InvalidInput,
    InvalidOrderState,
)
from raffles.models import Coupon, Order, OrderEvent
from raffles.services.pricing import apply_coupon, create_coupon, set_coupon_active, set_prices
from raffles.tests.coupon_threads import coupon_applier
from raffles.tests.factories import BuyerFactory, make_raffle

TIERS = [{"quantity": 3, "price": "25"}, {"quantity": 10, "price": "70.00"}]


@pytest.fixture
def priced(raffle):
    return set_prices(raffle=raffle, tiers=TIERS)


def test_an_order_is_priced_by_its_bundles(priced, buyer):
    order = services.reserve_specific(priced.pk, [1, 2, 3, 4], buyer)
    stored = Order.objects.get(pk=order.pk)
    for o in (order, stored):
        assert (o.list_amount, o.discount_amount, o.total_amount) == (
            Decimal("40.00"),
            Decimal("5.00"),
            Decimal("35.00"),
        )


def test_random_reservations_use_the_bundles_too(priced, buyer):
    order = services.reserve_random(priced.pk, 10, buyer)
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("70.00")


def test_early_bird_price_until_its_date(raffle, buyer):
    set_prices(
        raffle=raffle,
        tiers=[],
        early_bird_price="8",
        early_bird_until=timezone.now() + timedelta(days=1),
    )
    order = services.reserve_specific(raffle.pk, [5, 6], buyer)
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("16.00")


@pytest.mark.parametrize(
    ("tiers", "field"),
    [
        ([{"quantity": 1, "price": "5"}], "tiers"),
        ([{"quantity": 3, "price": "30"}], "tiers"),  # not cheaper than three singles
        ([{"quantity": 3, "price": "20"}, {"quantity": 3, "price": "21"}], "tiers"),
        ([{"quantity": 500, "price": "20"}], "tiers"),  # above the order limit
    ],
)
def test_bad_bundles_are_refused(raffle, tiers, field):
    with pytest.raises(InvalidInput) as err:
        set_prices(raffle=raffle, tiers=tiers)
    assert err.value.fields["field"] == field


def test_early_bird_needs_a_lower_price_and_a_date(raffle):
    with pytest.raises(InvalidInput):
        set_prices(raffle=raffle, tiers=[], early_bird_price="12", early_bird_until=timezone.now())
    with pytest.raises(InvalidInput):
        set_prices(raffle=raffle, tiers=[], early_bird_price="5")


def test_prices_change_leaves_an_audit_row(priced):
    assert OrderEvent.objects.filter(raffle=priced, kind="prices_changed").exists()


def test_coupon_code_is_case_insensitive(priced, buyer):
    create_coupon(raffle=priced, code="save10", kind="percent", value="10")
    order = services.reserve_specific(priced.pk, [1, 2, 3, 4], buyer)
    done = apply_coupon(order=order, code=" Save10 ")
    assert (done.total_amount, done.coupon_discount, done.discount_amount) == (
        Decimal("31.50"),
        Decimal("3.50"),
        Decimal("8.50"),
    )
    assert done.coupon.code == "SAVE10"
    assert Coupon.objects.get().used_count == 1
    with pytest.raises(InvalidOrderState):
        apply_coupon(order=order, code="SAVE10")
    assert Coupon.objects.get().used_count == 1


def test_unknown_expired_disabled_and_used_up_coupons(raffle, buyer, other_buyer):
    with pytest.raises(CouponNotFound):
        apply_coupon(order=services.reserve_specific(raffle.pk, [1], buyer), code="NOPE")
    order = Order.objects.get(buyer=buyer)
    old = create_coupon(
        raffle=raffle,
        code="OLD",
        kind="fixed",
        value="1",
        ends_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=order, code="old")
    assert err.value.reason == "expired"
    off = create_coupon(raffle=raffle, code="OFF", kind="fixed", value="1")
    set_coupon_active(coupon=off, active=False)
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=order, code="off")
    assert err.value.reason == "disabled"
    create_coupon(raffle=raffle, code="ONCE", kind="fixed", value="2", max_uses=1)
    apply_coupon(order=order, code="once")
    second = services.reserve_specific(raffle.pk, [2], other_buyer)
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=second, code="ONCE")
    assert err.value.reason == "used_up"
    assert old.orders.count() == 0


def test_a_coupon_code_is_unique_per_raffle(raffle):
    create_coupon(raffle=raffle, code="A1", kind="fixed", value="1")
    with pytest.raises(CouponCodeTaken):
        create_coupon(raffle=raffle, code="a1", kind="percent", value="5")
    with pytest.raises(InvalidInput):
        create_coupon(raffle=raffle, code="A-1", kind="percent", value="5")
    with pytest.raises(InvalidInput):
        create_coupon(raffle=raffle, code="B", kind="percent", value="101")


def test_a_cancelled_order_gives_its_coupon_use_back(raffle, buyer, other_buyer):
    create_coupon(raffle=raffle, code="ONCE", kind="fixed", value="2", max_uses=1)
    order = apply_coupon(order=services.reserve_specific(raffle.pk, [1], buyer), code="once")
    services.cancel_order(order)
    assert Coupon.objects.get().used_count == 0
    again = apply_coupon(order=services.reserve_specific(raffle.pk, [2], other_buyer), code="once")
    assert again.coupon_code == "ONCE"


def test_no_coupon_after_a_proof_was_sent(raffle, buyer):
    create_coupon(raffle=raffle, code="LATE", kind="fixed", value="1")
    order = services.reserve_specific(raffle.pk, [1], buyer)
    Order.objects.filter(pk=order.pk).update(proof_received_at=timezone.now())
    with pytest.raises(InvalidOrderState):
        apply_coupon(order=order, code="LATE")
    assert Coupon.objects.get().used_count == 0


@pytest.mark.django_db(transaction=True)
def test_a_coupon_limit_holds_under_real_threads():
    """Twelve buyers apply a coupon limited to five uses at the same moment."""
    raffle = make_raffle(size=50)
    create_coupon(raffle=raffle, code="FIVE", kind="percent", value="10", max_uses=5)
    orders = [services.reserve_specific(raffle.pk, [n], BuyerFactory()) for n in range(12)]
    start = threading.Barrier(len(orders))
    results: list[str] = []

    apply = coupon_applier("five", start, results)

    threads = [threading.Thread(target=apply, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] * 5 + ["used_up"] * 7
    assert Coupon.objects.get().used_count == 5
    assert Order.objects.filter(coupon__isnull=False).count() == 5
