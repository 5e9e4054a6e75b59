"""Bundles and coupons through the real webhook and the fake Graph API: the raffle's list
offers "3 random for 25", the order is priced by the bundles, "cupón SAVE10" takes the coupon
off the held order, and the payment message and receipt show the discount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from messaging.bot.flow.queries import order_view
from messaging.bot.notices import receipt
from messaging.testing.world import Phone, all_ids, all_text
from raffles.models import Coupon, Order
from raffles.services.pricing import create_coupon, set_prices
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    raffle = make_raffle(size=100, title="Bike", max_tickets_per_order=10)
    set_prices(
        raffle=raffle, tiers=[{"quantity": 3, "price": "25"}, {"quantity": 10, "price": "70"}]
    )
    create_coupon(raffle=raffle, code="SAVE10", kind="percent", value="10", max_uses=5)
    return raffle


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511112222", "Ana López")


def _order(phone: Phone) -> Order:
    return Order.objects.get(buyer__phone="+" + phone.wa_id, status="PENDING_PAYMENT")


@pytest.mark.parametrize(
    ("greeting", "bundle", "coupon", "new_total"),
    [
        ("hi", "3 random for 25", "coupon SAVE10", "New total: *22.50 USD*"),
        ("hola", "3 al azar por 25", "cupón save10", "Nuevo total: *22.50 USD*"),
        ("olá", "3 aleatórios por 25", "cupom SAVE10", "Novo total: *22.50 USD*"),
    ],
)
def test_a_bundle_row_then_a_coupon(phone, raffle, greeting, bundle, coupon, new_total):
    phone.text(greeting)
    details = phone.pick(f"raffle:{raffle.pk}")
    assert f"random:{raffle.pk}:3" in all_ids(details)
    assert bundle in str(details)
    reserved = phone.pick(f"random:{raffle.pk}:3", bundle)
    order = _order(phone)
    assert (order.qty, order.total_amount, order.list_amount) == (3, Decimal(25), Decimal(30))
    assert "25.00 USD" in all_text(reserved)
    answer = phone.text(coupon)
    assert new_total in all_text(answer), all_text(answer)
    order.refresh_from_db()
    assert (order.total_amount, order.coupon_code) == (Decimal("22.50"), "SAVE10")
    assert Coupon.objects.get().used_count == 1
    again = phone.text(coupon)
    assert "SAVE10" in all_text(again)
    assert Coupon.objects.get().used_count == 1
    pay = phone.tap(f"pay:{order.code}")
    assert "-2.50 USD" in all_text(pay)


def test_typed_numbers_get_the_bundle_price(phone, raffle):
    phone.text("hi")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("5 6 7 8")
    order = _order(phone)
    assert order.total_amount == Decimal(35)  # one bundle of 3 and one single


def test_an_unknown_coupon_and_no_order(phone, raffle):
    phone.text("hi")
    assert "reserve your numbers first" in all_text(phone.text("coupon SAVE10")).lower()
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("5")
    assert "NOPE" in all_text(phone.text("coupon NOPE"))
    assert _order(phone).coupon_code == ""


def test_the_receipt_shows_the_discount(phone, raffle):
    phone.text("hi")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("1 2 3")
    phone.text("coupon save10")
    order = Order.objects.select_related("raffle").get()
    with translation.override("en"):
        text = receipt(order_view(order), "https://tickets.example.test/t/x", "x").text
    assert "List price: 30.00 USD" in text
    assert "Coupon SAVE10: -2.50 USD" in text
