"""A raffle's sales by day and hour (bucketed in a time zone, in SQL) and its money."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from raffles import selectors, services
from raffles.models import Buyer, Order, Raffle

pytestmark = pytest.mark.django_db

MEXICO = zoneinfo.ZoneInfo("America/Mexico_City")  # UTC-6, no daylight saving


def _paid(raffle: Raffle, buyer: Buyer, numbers: list[int], at: datetime) -> Order:
    order = services.reserve_specific(raffle.pk, numbers, buyer)
    services.confirm_paid(order)
    Order.objects.filter(pk=order.pk).update(paid_at=at)
    return order


def test_days_and_hours_are_buckets_of_the_time_zone(raffle: Raffle, buyer: Buyer) -> None:
    _paid(raffle, buyer, [1, 2], datetime(2026, 3, 10, 3, 30, tzinfo=UTC))  # 9th, 21 h there
    _paid(raffle, buyer, [3], datetime(2026, 3, 10, 15, 0, tzinfo=UTC))  # 10th, 9 h there

    there = selectors.sales_activity(raffle, zone=MEXICO)
    assert [(d.day, d.numbers, d.orders) for d in there.days] == [
        (date(2026, 3, 9), 2, 1),
        (date(2026, 3, 10), 1, 1),
    ]
    assert there.hours[21] == 2
    assert there.hours[9] == 1
    assert there.numbers_sold == 3
    assert there.zone == "America/Mexico_City"

    utc = selectors.sales_activity(raffle, zone=UTC)
    assert [(d.day, d.numbers) for d in utc.days] == [(date(2026, 3, 10), 3)]
    assert utc.hours[3] == 2
    assert utc.hours[15] == 1


def test_the_active_time_zone_is_the_default(raffle: Raffle, buyer: Buyer) -> None:
    _paid(raffle, buyer, [4], datetime(2026, 3, 10, 3, 30, tzinfo=UTC))
    with timezone.override(MEXICO):
        activity = selectors.sales_activity(raffle)
    assert activity.days[0].day == date(2026, 3, 9)
    assert activity.hours[21] == 1


def test_money_confirmed_held_and_in_review(
    raffle: Raffle, buyer: Buyer, other_buyer: Buyer
) -> None:
    paid = _paid(raffle, buyer, [1, 2], timezone.now())
    held = services.reserve_specific(raffle.pk, [5], other_buyer)
    in_review = services.reserve_specific(raffle.pk, [6, 7, 8], buyer)
    services.attach_payment_proof(in_review, content=b"%PDF-1.4 x", mime_type="application/pdf")
    lapsed = services.reserve_specific(raffle.pk, [9], other_buyer)
    Order.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    activity = selectors.sales_activity(raffle)
    assert activity.confirmed == paid.total_amount == Decimal("20.00")
    assert activity.held == held.total_amount
    assert activity.in_review == in_review.total_amount
    assert activity.pending == held.total_amount + in_review.total_amount
    assert [d.amount for d in activity.days] == [Decimal("20.00")]


def test_a_raffle_without_sales(raffle: Raffle) -> None:
    activity = selectors.sales_activity(raffle.pk)
    assert activity.days == ()
    assert activity.hours == (0,) * 24
    assert activity.confirmed == activity.pending == 0
