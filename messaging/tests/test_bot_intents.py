"""Everyday messages through the real webhook: payment status, opt-out recorded, a person,
and FAQ entries staff wrote."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from messaging.models import Contact, FaqEntry
from messaging.testing.world import Phone, all_text
from raffles import services
from raffles.models import Order
from raffles.services.pricing import set_prices
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    return make_raffle(
        size=1000,
        title="Mountain bike",
        ticket_price=Decimal("750.00"),
        payment_instructions="Transfer to Bank XYZ, account 123-456",
        draw_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511113333", "Ana López")


def contact(phone: Phone) -> Contact:
    return Contact.objects.get(wa_id=phone.wa_id)


def test_did_you_get_my_payment_names_the_waiting_order(phone, raffle):
    phone.text("hi")
    phone.text("42, 777")
    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    text = all_text(phone.text("did you get my paymnet?"))
    assert order.code in text
    assert "photo or a PDF of the receipt" in text
    assert "didn't understand" not in text
    assert order.numbers() == [42, 777]


@pytest.mark.parametrize("word", ["stop", "baja", "Quiero darme de baja"])
def test_opt_out_is_recorded_and_confirmed(phone, raffle, word):
    phone.text("hi")
    text = all_text(phone.text(word))
    assert "won't get news or promotions" in text
    assert contact(phone).marketing_opt_out is True


@pytest.mark.parametrize("word", ["subscribe", "alta", "quero receber mensagens"])
def test_opting_back_in_is_recorded_and_confirmed(phone, raffle, word):
    phone.text("hi")
    phone.text("stop")
    assert contact(phone).marketing_opt_out is True
    text = all_text(phone.text(word))
    assert "didn't understand" not in text
    assert contact(phone).marketing_opt_out is False


def test_a_person_is_asked_for_in_plain_words(phone, raffle):
    phone.text("hi")
    phone.text("quiero hablar con alguien")
    assert contact(phone).bot_paused is True


def test_price_and_draw_date(phone, raffle):
    phone.text("hi")
    assert "750.00" in all_text(phone.text("cuanto cuesta"))
    assert "Mountain bike" in all_text(phone.text("when is the draw"))


def test_the_price_answer_names_the_bundles_and_the_early_bird_price(phone, raffle):
    """A buyer asking the price hears every way to pay less, as the raffle's details say."""
    set_prices(
        raffle=raffle,
        tiers=[{"quantity": 3, "price": "2000"}],
        early_bird_price="700",
        early_bird_until=timezone.now() + timedelta(days=2),
    )
    phone.text("hola")
    text = all_text(phone.text("cuánto cuesta"))
    assert "750.00" in text
    assert "3 por 2,000.00" in text or "3 por 2000.00" in text, text
    assert "700.00" in text


@pytest.mark.parametrize(
    ("greeting", "question", "title"),
    [("hi", "what are the prizes?", "Prizes"), ("hola", "premios", "Premios")],
)
def test_the_prizes_are_answered_in_order(phone, greeting, question, title):
    """ "premios" was not understood; with several prizes a buyer wants to know them all."""
    raffle = make_raffle(size=100, active=False, title="Gran rifa", prize="Una moto")
    services.set_draw_setup(raffle, prize_names=["Moto Honda", "Televisor 55"])
    services.activate_raffle(raffle=raffle)
    phone.text(greeting)
    text = all_text(phone.text(question))
    assert "didn't understand" not in text, text
    assert "no entendí" not in text, text
    assert title in text
    assert text.index("Moto Honda") < text.index("Televisor 55")


def test_a_staff_faq_is_answered_and_an_inactive_one_is_not(phone, raffle):
    FaqEntry.objects.create(
        question="Delivery",
        keywords_en="prize delivery, shipping",
        keywords_es="entrega premio",
        answer_en="We bring the prize to your door.",
    )
    FaqEntry.objects.create(
        question="Old", keywords_en="parking", answer_en="Park here.", active=False
    )
    phone.text("hi")
    assert "We bring the prize to your door." in all_text(phone.text("is shipping free?"))
    assert "didn't understand" in all_text(phone.text("parking?"))
