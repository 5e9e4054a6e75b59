"""The bot speaks the buyer's language from the first reply (her words, else her phone's
country code, else the deployment's), in English, Spanish and Portuguese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging.models import Contact
from messaging.testing.world import Phone, all_ids, all_text
from raffles import services
from raffles.models import Order
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    return make_raffle(
        size=100,
        title="Mountain bike",
        max_tickets_per_order=5,
        draw_at=timezone.now() + timedelta(days=30),
    )


def phone_of(post_webhook, fake_graph, wa_id: str) -> Phone:
    return Phone(post_webhook, fake_graph, wa_id, "Ana López")


def language(phone: Phone) -> str:
    return Contact.objects.get(wa_id=phone.wa_id).language


def test_a_spanish_first_message_on_an_english_deployment(post_webhook, fake_graph, raffle):
    phone = phone_of(post_webhook, fake_graph, "15551112222")
    answer = all_text(phone.text("hola, quiero 2 boletos al azar"))
    assert "Bienvenido" in answer or "Reservamos" in answer or "reservad" in answer
    assert language(phone) == "es"


def test_the_phone_says_spanish_when_the_words_do_not(post_webhook, fake_graph, raffle):
    phone = phone_of(post_webhook, fake_graph, "5491112345678")
    answer = all_text(phone.text("5 12"))
    assert "05, 12" in answer
    assert "Reserved" not in answer
    assert language(phone) == "es"


def test_words_win_over_the_phone(post_webhook, fake_graph, raffle, settings):
    settings.LANGUAGE_CODE = "es"
    phone = phone_of(post_webhook, fake_graph, "5491112345678")
    assert "Welcome" in all_text(phone.text("hello"))
    assert language(phone) == "en"


def test_a_portuguese_buyer_is_answered_in_portuguese(post_webhook, fake_graph, raffle):
    phone = phone_of(post_webhook, fake_graph, "5511912345678")
    welcome = all_text(phone.text("oi"))
    assert "Bem-vind" in welcome
    assert language(phone) == "pt-br"
    reserved = all_text(phone.text("2 aleatórios"))
    assert "Reserv" in reserved
    assert "Reserved" not in reserved


def test_switching_language_keeps_the_raffle_list(post_webhook, fake_graph, raffle):
    phone = phone_of(post_webhook, fake_graph, "15551112222")
    phone.text("hi")
    phone.tap("raffles")
    answer = phone.text("español")
    assert f"raffle:{raffle.pk}" in all_ids(answer)
    assert "español" in all_text(answer)
    answer = phone.text("português")
    assert f"raffle:{raffle.pk}" in all_ids(answer)
    assert language(phone) == "pt-br"
    assert "Rifas à venda" in all_text(answer)


@pytest.mark.parametrize("deployment", ["en", "es"])
def test_message_counts_in_every_language(post_webhook, fake_graph, raffle, settings, deployment):
    """From a greeting to reserved numbers with the payment details: 3 messages with taps, 1
    when the first message says what she wants (no *Confirm* tap in between); in the buyer's
    language whatever the deployment's."""
    settings.LANGUAGE_CODE = deployment
    greetings = {
        "en": ("hi", "2 random"),
        "es": ("hola", "2 al azar"),
        "pt-br": ("oi", "2 aleatórios"),
    }
    reserved = {"en": "Reserved for you", "es": "Reservado", "pt-br": "Reservado para você"}
    counts = {}
    for i, (code, (hello, wish)) in enumerate(greetings.items()):
        for path in ("taps", "first message"):
            phone = phone_of(post_webhook, fake_graph, f"4470090{i}{len(path):03d}")
            if path == "taps":
                phone.text(hello)
                phone.pick(f"raffle:{raffle.pk}")
                answer = phone.pick(f"random:{raffle.pk}:2")
            else:
                answer = phone.text(wish)
            assert reserved[code] in all_text(answer), (code, path, all_text(answer))
            assert language(phone) == code
            counts[code, path] = phone.sent
            order = Order.objects.get(buyer__phone="+" + phone.wa_id, status="PENDING_PAYMENT")
            with translation.override(code):
                how_to_pay = _("Use *%(code)s* as the payment reference.") % {"code": order.code}
            assert how_to_pay in all_text(answer), (code, path, all_text(answer))
            services.cancel_order(order)
    assert set(counts.values()) == {3, 1}
    assert all(counts[code, "first message"] == 1 for code in greetings)
