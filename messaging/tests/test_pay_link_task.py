"""The payment link task is delivered at least once: run twice for one request, it queues the
Pay-now button once; a new request (another turn) gets a button again."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from messaging import tasks
from messaging.models import Contact, OutboundMessage, PayLinkQueued
from raffles import services
from raffles.models import Order, PaymentSetup
from raffles.testing.fakemercadopago import FakeMercadoPago
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_mp(settings: Any) -> Iterator[FakeMercadoPago]:
    fake = FakeMercadoPago(token="test-mp-token", secret="test-mp-secret").start()
    settings.MERCADOPAGO_BASE_URL = fake.base_url
    settings.MERCADOPAGO_ACCESS_TOKEN = fake.token
    settings.MERCADOPAGO_WEBHOOK_SECRET = fake.secret
    settings.PUBLIC_BASE_URL = "https://raffles.example.test"
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def order_and_contact() -> tuple[Order, Contact]:
    raffle = make_raffle(size=20, ticket_price=Decimal("10.00"))
    PaymentSetup.objects.create(raffle=raffle, methods=["transfer", "payment_link"])
    buyer = BuyerFactory()
    contact = Contact.objects.create(
        wa_id="5215500001111", buyer=buyer, last_inbound_at=timezone.now()
    )
    return services.reserve_specific(raffle.pk, [4], buyer), contact


def _send(order: Order, contact: Contact, key: str) -> str:
    return tasks.send_payment_link(
        contact.pk, order.code, "Pay here", "Pay now", "No link now", key
    )


def _buttons() -> int:
    return OutboundMessage.objects.filter(kind=OutboundMessage.Kind.LINK).count()


def test_a_redelivered_task_queues_the_button_once(
    fake_mp: FakeMercadoPago, order_and_contact: tuple[Order, Contact]
) -> None:
    order, contact = order_and_contact
    assert _send(order, contact, "turn-1") == OutboundMessage.Kind.LINK
    assert _send(order, contact, "turn-1") == ""
    assert _buttons() == 1
    record = PayLinkQueued.objects.get(key="turn-1")
    assert record.order_code == order.code
    assert record.message is not None
    assert record.message.kind == OutboundMessage.Kind.LINK


def test_a_new_request_gets_the_button_again(
    fake_mp: FakeMercadoPago, order_and_contact: tuple[Order, Contact]
) -> None:
    order, contact = order_and_contact
    _send(order, contact, "turn-1")
    assert _send(order, contact, "turn-2") == OutboundMessage.Kind.LINK
    assert _buttons() == 2
    urls = {
        m.payload["interactive"]["action"]["parameters"]["url"]
        for m in OutboundMessage.objects.filter(kind="link")
    }
    assert len(urls) == 1  # one checkout per order
