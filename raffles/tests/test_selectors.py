"""Selectors written as SQL once, beside the ORM query they stand for."""

from __future__ import annotations

import pytest

from raffles import selectors, services
from raffles.models import Buyer, Order, Raffle
from raffles.tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def test_waiting_order_codes_are_the_buyers_unpaid_orders_newest_first(
    raffle: Raffle, buyer: Buyer
) -> None:
    orders = [services.reserve_specific(raffle.pk, [n], buyer) for n in (1, 2, 3, 4)]
    services.reserve_specific(raffle.pk, [5], BuyerFactory())
    Order.objects.filter(pk=orders[1].pk).update(status=Order.Status.PAID)
    orm = list(
        Order.objects.filter(buyer=buyer)
        .waiting_payment()
        .order_by("-created_at", "-id")
        .values_list("pk", "code")[:2]
    )
    assert selectors.waiting_order_codes(buyer.pk, 2) == orm
    assert [pk for pk, _ in selectors.waiting_order_codes(buyer.pk, 10)] == [
        orders[3].pk,
        orders[2].pk,
        orders[0].pk,
    ]
    assert selectors.waiting_order_codes(buyer.pk + 1000, 10) == []
