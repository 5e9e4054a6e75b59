"""A payment link end to end: reserve through the real WhatsApp webhook, get the link as a
call-to-action button (fake Graph API), pay at the fake Mercado Pago, whose signed
notification reaches our webhook on a live server, and receive the receipt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from messaging.testing.world import Phone, body_of
from raffles.models import LinkPayment, Order, PaymentSetup
from raffles.testing.fakemercadopago import FakeMercadoPago
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_mp(settings: Any, live_server: Any) -> Iterator[FakeMercadoPago]:
    fake = FakeMercadoPago(token="test-mp-token", secret="test-mp-secret").start()
    settings.MERCADOPAGO_BASE_URL = fake.base_url
    settings.MERCADOPAGO_ACCESS_TOKEN = fake.token
    settings.MERCADOPAGO_WEBHOOK_SECRET = fake.secret
    settings.PUBLIC_BASE_URL = live_server.url
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def raffle():
    raffle = make_raffle(
        size=100,
        title="Mountain bike",
        ticket_price=Decimal("10.00"),
        payment_instructions="Transfer to Bank XYZ, account 123-456",
        draw_at=timezone.now() + timedelta(days=30),
    )
    PaymentSetup.objects.create(raffle=raffle, methods=["transfer", "payment_link"])
    return raffle


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511112222", "Ana López")


def to_payment(phone: Phone, raffle: Any) -> tuple[Order, list[dict[str, Any]]]:
    phone.text("hi")
    phone.tap("raffles")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    return order, phone.tap(f"confirm:{order.code}")


def link_button(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    [link] = [
        p
        for p in payloads
        if p.get("type") == "interactive" and p["interactive"]["type"] == "cta_url"
    ]
    return link["interactive"]


def test_pay_by_link_from_reservation_to_receipt(fake_graph, fake_mp, phone, raffle):
    order, out = to_payment(phone, raffle)
    assert "Transfer to Bank XYZ" in body_of(out[0])  # the other way to pay stays
    link = link_button(out)
    assert link["action"]["name"] == "cta_url"
    assert link["action"]["parameters"]["display_text"] == "Pay now"
    [pref] = fake_mp.preferences
    assert link["action"]["parameters"]["url"] == pref["init_point"]
    assert pref["external_reference"] == order.code
    assert "$10.00" in link["body"]["text"] or "10.00" in link["body"]["text"]

    # Asking for the payment details again shows the same link (one preference per order).
    again = phone.text("pay")
    if any(p.get("type") == "interactive" for p in again):
        assert len(fake_mp.preferences) == 1

    fake_mp.pay(reference=order.code, repeat=2)
    assert fake_mp.deliveries == [200, 200]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert LinkPayment.objects.get().outcome == "confirmed"
    receipt, ticket = phone.inbox()  # one receipt for two notifications
    assert "Payment confirmed" in body_of(receipt)
    assert order.code in body_of(receipt)
    assert ticket["type"] == "image"


def test_no_link_button_when_the_raffle_takes_none(fake_graph, fake_mp, phone, raffle):
    PaymentSetup.objects.filter(raffle=raffle).update(methods=["transfer"])
    _, out = to_payment(phone, raffle)
    assert all(p["interactive"]["type"] != "cta_url" for p in out if p["type"] == "interactive")
    assert fake_mp.preferences == []


def test_provider_down_gives_a_note_and_the_rest_still_works(fake_graph, fake_mp, phone, raffle):
    fake_mp.fail_next(10, status=503)
    _, out = to_payment(phone, raffle)
    assert "Transfer to Bank XYZ" in body_of(out[0])
    assert "payment link is not available" in body_of(out[-1])


def test_the_link_button_speaks_the_buyers_language(fake_graph, fake_mp, phone, raffle):
    phone.text("hola")
    phone.tap("raffles")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    link = link_button(phone.tap(f"confirm:{order.code}"))
    assert link["action"]["parameters"]["display_text"] == "Pagar ahora"
    assert "Tu pedido se confirma solo" in link["body"]["text"]
