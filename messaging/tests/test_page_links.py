"""The message a public raffle page prefills in WhatsApp reserves its numbers in one buyer
message, then Confirm brings the payment details: two messages, in en, es and pt-BR, through
the real webhook and the fake Graph API."""

from __future__ import annotations

import pytest
from django.utils import translation

from messaging.bot.flow import page_links
from messaging.bot.flow.events import InboundEvent, Kind
from messaging.testing.world import Phone, all_text
from raffles import services
from raffles.models import Order
from raffles.public import links
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

RESERVED = {"en": "Reserved for you", "es": "Reservado", "pt-br": "Reservado para você"}


@pytest.fixture
def raffles():  # several on sale: the message must name its raffle
    make_raffle(size=100, title="Television")
    bike = make_raffle(size=10_000, title="Mountain bike", payment_instructions="Pay to ACME 123")
    services.update_raffle(raffle=bike, slug="bike-2026")
    bike.refresh_from_db()
    return bike


@pytest.mark.parametrize("code", ["en", "es", "pt-br"])
@pytest.mark.parametrize("ref", ["slug", "public_id"])
def test_the_page_message_reserves_numbers_in_one_message(
    post_webhook, fake_graph, raffles, code, ref
):
    name = raffles.slug if ref == "slug" else raffles.public_id
    with translation.override(code):
        text = links.prefilled_text(name, raffles.number_width, numbers=[12, 4521])
    phone = Phone(post_webhook, fake_graph, f"4470081{len(code)}{len(ref):02d}", "Ana López")
    answer = phone.text(text)
    assert RESERVED[code] in all_text(answer), (text, all_text(answer))
    assert "0012" in all_text(answer)
    assert "4521" in all_text(answer)
    # She said exactly what she wants: the payment details come in the same answer.
    assert "ACME 123" in all_text(answer)
    assert phone.sent == 1
    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    assert order.numbers() == [12, 4521]


@pytest.mark.parametrize("code", ["en", "es", "pt-br"])
def test_the_page_message_for_random_numbers(post_webhook, fake_graph, raffles, code):
    with translation.override(code):
        text = links.prefilled_text(raffles.slug, raffles.number_width, qty=3)
    phone = Phone(post_webhook, fake_graph, f"4470082{len(code)}00", "Ana")
    answer = phone.text(text)
    assert RESERVED[code] in all_text(answer), (text, all_text(answer))
    assert Order.objects.get(buyer__phone="+" + phone.wa_id).qty == 3


def test_a_taken_number_gets_the_usual_alternatives(post_webhook, fake_graph, raffles):
    services.reserve_specific(raffles.pk, [12], BuyerFactory())
    text = links.prefilled_text(raffles.slug, raffles.number_width, numbers=[12])
    phone = Phone(post_webhook, fake_graph, "447008300", "Ana")
    answer = all_text(phone.text(text))
    assert "0012" in answer
    assert not Order.objects.filter(buyer__phone="+" + phone.wa_id).exists()


def test_parse_reads_only_the_page_messages() -> None:
    assert page_links.parse("Hi! I want numbers 0012, 0345 in raffle #moto") == (
        page_links.PageLink("moto", numbers=(12, 345))
    )
    assert page_links.parse("¡Hola! Quiero 3 números al azar de la rifa #moto") == (
        page_links.PageLink("moto", qty=3, random=True)
    )
    assert page_links.parse("Olá! Quero participar da rifa #moto") == page_links.PageLink("moto")
    assert page_links.parse("I paid 500 at 3pm #moto") is None
    assert page_links.parse("numbers 1, 2") is None


def test_an_unknown_raffle_keeps_the_request() -> None:
    event = page_links.read(
        InboundEvent.text_message("Hi! I want numbers 12 in raffle #nope"), lambda ref: None
    )
    assert event.kind == Kind.TEXT
    assert "#nope" not in event.text
