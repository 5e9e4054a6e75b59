"""Held numbers through the real webhook: an amount typed after reserving never releases
them, and a buyer never ends up with a second hold she did not ask for."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from messaging.testing.world import Phone, all_ids, all_text
from raffles.models import Order
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    return make_raffle(
        size=1000,
        title="Mountain bike",
        ticket_price=Decimal("750.00"),
        payment_instructions="Transfer to Bank XYZ, account 123-456",
        max_tickets_per_order=5,
        draw_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511112222", "Ana López")


def waiting(phone: Phone) -> list[Order]:
    return list(
        Order.objects.filter(buyer__phone="+" + phone.wa_id).waiting_payment().order_by("id")
    )


@pytest.mark.parametrize("amount", ["$1.500", "1,500.00", "1e3", "2.5e1", "ya pagué"])
def test_an_amount_typed_after_reserving_keeps_the_numbers(phone, raffle, amount):
    phone.text("hi")
    phone.text("42, 777")
    [order] = waiting(phone)
    answer = phone.text(amount)
    assert [(o.code, o.numbers()) for o in waiting(phone)] == [(order.code, [42, 777])]
    text = all_text(answer)
    assert order.code in text
    assert "1,500.00 USD" in text
    assert "photo or a PDF of the receipt" in text


def test_random_then_a_quantity_asks_before_a_second_hold(phone, raffle):
    phone.text("hi")
    phone.text("5")
    [order] = waiting(phone)
    phone.text("random")
    answer = phone.text("2")
    assert [o.code for o in waiting(phone)] == [order.code]
    assert order.code in all_text(answer)
    assert all_ids(answer) == [
        f"keep:{order.code}",
        f"change:{order.code}:{raffle.pk}:r2",
        f"add:{raffle.pk}:r2:{order.code}",
    ]
    phone.tap(f"add:{raffle.pk}:r2:{order.code}")
    first, second = waiting(phone)
    assert first.code == order.code
    assert len(second.numbers()) == 2
