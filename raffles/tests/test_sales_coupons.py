"""A coupon in a sale recorded by staff (`sell_offline(coupon=...)`): applied through the
same rule as a buyer's (`apply_coupon`), in the sale's transaction, so an unknown, expired,
disabled or used-up code refuses the whole sale and nothing is sold."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from raffles import services
from raffles.audit import EventKind
from raffles.exceptions import CouponNotFound, CouponUnusable
from raffles.models import Coupon, Order, OrderEvent, Raffle, TicketNumber
from raffles.services import SaleBuyer
from raffles.services.pricing import create_coupon, set_coupon_active, set_prices

pytestmark = pytest.mark.django_db
AVAILABLE = TicketNumber.Status.AVAILABLE


@pytest.fixture
def staff(db: None) -> Any:
    return get_user_model().objects.create_user("sally", password="x", is_staff=True)


def _sell(raffle: Raffle, staff: Any, numbers: list[int], **kwargs: Any) -> Order:
    kwargs.setdefault("paid", True)
    return services.sell_offline(
        raffle=raffle, numbers=numbers, buyer=SaleBuyer(name="Ana"), by=staff, **kwargs
    )


def _nothing_sold(raffle: Raffle, numbers: list[int]) -> None:
    assert not Order.objects.exists()
    statuses = TicketNumber.objects.filter(raffle=raffle, number__in=numbers)
    assert set(statuses.values_list("status", flat=True)) == {AVAILABLE}
    assert not OrderEvent.objects.filter(kind=EventKind.SOLD_BY_STAFF).exists()


def test_a_cash_sale_takes_the_coupon_after_the_bundle_price(raffle: Raffle, staff: Any) -> None:
    set_prices(raffle=raffle, tiers=[{"quantity": 3, "price": "25"}])
    coupon = create_coupon(raffle=raffle, code="fair10", kind="percent", value="10", max_uses=2)
    order = _sell(raffle, staff, [1, 2, 3, 4], coupon=" Fair10 ")
    order.refresh_from_db()
    # 4 numbers: a bundle of 3 (25) and one at 10 = 35, less 10 % = 31.50.
    assert order.status == Order.Status.PAID
    assert (order.coupon_code, order.coupon_discount) == ("FAIR10", Decimal("3.50"))
    assert (order.list_amount, order.total_amount) == (Decimal("40.00"), Decimal("31.50"))
    assert order.discount_amount == Decimal("8.50")
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds.index(EventKind.COUPON_APPLIED) < kinds.index(EventKind.PAID)


def test_a_reserved_sale_keeps_its_coupon(raffle: Raffle, staff: Any) -> None:
    create_coupon(raffle=raffle, code="FIVE", kind="fixed", value="5")
    order = _sell(raffle, staff, [7, 8], coupon="five", paid=False)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert (order.coupon_code, order.total_amount) == ("FIVE", Decimal("15.00"))
    assert order.expires_at is None


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_no_coupon_is_a_sale_at_the_price(raffle: Raffle, staff: Any, blank: str | None) -> None:
    order = _sell(raffle, staff, [1], coupon=blank)
    assert (order.coupon_code, order.total_amount) == ("", Decimal("10.00"))


def test_an_unknown_code_sells_nothing(raffle: Raffle, staff: Any) -> None:
    with pytest.raises(CouponNotFound) as caught:
        _sell(raffle, staff, [1, 2], coupon="NOPE")
    assert caught.value.fields["field"] == "coupon"
    _nothing_sold(raffle, [1, 2])


def test_another_raffles_code_is_unknown(raffle: Raffle, staff: Any) -> None:
    from raffles.tests.factories import make_raffle

    create_coupon(raffle=make_raffle(size=10), code="OTHER", kind="percent", value="10")
    with pytest.raises(CouponNotFound):
        _sell(raffle, staff, [3], coupon="OTHER")
    _nothing_sold(raffle, [3])


def test_an_expired_code_sells_nothing(raffle: Raffle, staff: Any) -> None:
    ended = timezone.now() - timedelta(minutes=1)
    create_coupon(raffle=raffle, code="OLD", kind="percent", value="10", ends_at=ended)
    with pytest.raises(CouponUnusable) as caught:
        _sell(raffle, staff, [1], coupon="OLD")
    assert caught.value.reason == "expired"
    assert caught.value.fields["field"] == "coupon"
    _nothing_sold(raffle, [1])


def test_a_disabled_code_sells_nothing(raffle: Raffle, staff: Any) -> None:
    coupon = create_coupon(raffle=raffle, code="OFF", kind="percent", value="10")
    set_coupon_active(coupon=coupon, active=False)
    with pytest.raises(CouponUnusable) as caught:
        _sell(raffle, staff, [1], coupon="OFF", paid=False)
    assert caught.value.reason == "disabled"
    _nothing_sold(raffle, [1])


def test_a_used_up_code_sells_nothing_and_keeps_its_count(raffle: Raffle, staff: Any) -> None:
    coupon = create_coupon(raffle=raffle, code="ONCE", kind="fixed", value="2", max_uses=1)
    first = _sell(raffle, staff, [1], coupon="ONCE")
    with pytest.raises(CouponUnusable) as caught:
        _sell(raffle, staff, [2, 3], coupon="ONCE")
    assert caught.value.reason == "used_up"
    assert list(Order.objects.values_list("pk", flat=True)) == [first.pk]
    assert TicketNumber.objects.get(raffle=raffle, number=2).status == AVAILABLE
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    assert Coupon.objects.get(pk=coupon.pk).used_count == 1
