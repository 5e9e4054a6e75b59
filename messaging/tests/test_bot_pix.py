"""Pix in the payment message, end to end through the webhook and the fake Graph API: a
raffle that takes Pix sends the QR code and the copy-and-paste code (the order's amount and
code, CRC verified); one that does not sends neither."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from messaging.testing.world import Phone, all_text
from raffles import services
from raffles.models import Order
from raffles.payments import pix
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5511987654321", "Maria")


def _raffle(pix_on: bool):
    raffle = make_raffle(size=100, title="Rifa", currency="BRL", ticket_price=Decimal("15.00"))
    if pix_on:
        services.update_payment_setup(
            raffle,
            methods=["transfer", "pix"],
            pix_key="rifa@example.com",
            pix_merchant_name="Rifa Solidária",
            pix_merchant_city="São Paulo",
        )
    return raffle


def test_the_payment_message_carries_the_pix_qr_and_code(phone, fake_graph):
    raffle = _raffle(True)
    phone.text("hi")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    order = Order.objects.get()
    out = phone.tap(f"confirm:{order.code}")
    [image] = [p for p in out if p["type"] == "image"]
    assert image["image"]["caption"] == "Pix"
    picture = Image.open(io.BytesIO(fake_graph.media_content(image["image"]["id"])))
    assert picture.format == "PNG"
    texts = [p["text"]["body"] for p in out if p["type"] == "text"]
    code = next(t for t in texts if t.startswith("000201"))
    assert pix.verifies(code)
    fields = pix.parse_fields(code)
    assert fields["54"] == "15.00"
    assert fields["62"] == f"0506{order.code}"
    assert fields["59"] == "RIFA SOLIDARIA"
    assert "Pix" in all_text(out)
    assert out.index(image) > 0  # after the payment details, which say what it is


def test_no_pix_without_the_method(phone, fake_graph):
    raffle = _raffle(False)
    phone.text("hi")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    out = phone.tap(f"confirm:{Order.objects.get().code}")
    assert "How to pay" in all_text(out)
    assert not [p for p in out if p["type"] == "image"]
    assert "000201" not in all_text(out)


def test_a_coupon_sends_the_pix_code_again_with_the_new_amount(phone, fake_graph):
    """The Pix code carries the amount: after a coupon lowers the total, the bot sends the
    code again for the new amount (the first one would now be refused as a wrong amount)."""
    from raffles.services.pricing import create_coupon

    raffle = _raffle(True)
    create_coupon(raffle=raffle, code="TEN", kind="fixed", value="10")
    phone.text("hi")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    phone.tap(f"confirm:{Order.objects.get().code}")
    out = phone.text("cupom TEN")
    texts = [p["text"]["body"] for p in out if p["type"] == "text"]
    code = next(t for t in texts if t.startswith("000201"))
    assert pix.parse_fields(code)["54"] == "5.00"
    assert [p for p in out if p["type"] == "image"]


@pytest.mark.parametrize("typed", ["pix", "Pix?", "pagar com pix", "código pix", "chave pix"])
def test_a_buyer_asking_for_pix_gets_the_payment_details(phone, typed):
    """A Brazilian buyer types "pix" to pay: she gets the payment message with the QR and the
    code, not "Sorry, I didn't understand"."""
    raffle = _raffle(True)
    phone.text("oi")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    order = Order.objects.get()
    phone.tap(f"confirm:{order.code}")
    out = phone.text(typed)
    text = all_text(out)
    assert "não entendi" not in text, text
    assert "didn't understand" not in text, text
    assert order.code in text
    assert any(p["type"] == "image" for p in out)
