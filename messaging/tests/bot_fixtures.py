"""Fixtures (a plugin of the root conftest) and helpers of the whole-conversation bot tests
(test_bot*.py): a raffle, buyers' phones on the real webhook, and ways to reach a state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from messaging.models import Contact
from messaging.testing.world import Phone
from raffles.models import Order
from raffles.tests.factories import make_raffle

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 200


@pytest.fixture
def raffle():
    return make_raffle(
        size=100,
        title="Mountain bike",
        prize="A mountain bike",
        payment_instructions="Transfer to Bank XYZ, account 123-456",
        max_tickets_per_order=5,
        draw_at=timezone.now() + timedelta(days=30),
        sales_close_at=timezone.now() + timedelta(days=29),
    )


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511112222", "Ana López")


@pytest.fixture
def phone2(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215533334444", "Beto")


@pytest.fixture
def spanish(settings):
    settings.LANGUAGE_CODE = "es"


def contact_of(phone: Phone) -> Contact:
    return Contact.objects.get(wa_id=phone.wa_id)


def live_order(phone: Phone) -> Order:
    return Order.objects.filter(
        buyer__phone="+" + phone.wa_id, status=Order.Status.PENDING_PAYMENT
    ).get()


def reach(phone: Phone, raffle, state: str, fake_graph=None, numbers: str = "7") -> list[dict]:
    """Drive a conversation to `state` through the webhook, greeting in the deployment's
    language (the buyer's words set hers); return the last answer."""
    out = phone.text("hola" if settings.LANGUAGE_CODE.startswith("es") else "hi")
    if state == "start":
        return out
    out = phone.tap("raffles")
    if state == "browsing":
        return out
    out = phone.pick(f"raffle:{raffle.pk}")
    if state == "raffle":
        return out
    out = phone.text(numbers)
    if state == "confirm":
        return out
    out = phone.tap(f"confirm:{live_order(phone).code}")
    if state == "payment":
        return out
    media_id = f"proof-{phone.wa_id}"
    fake_graph.add_media(media_id, JPEG + phone.wa_id.encode(), "image/jpeg")
    out = phone.media("image", media_id, "image/jpeg")
    assert state == "review"
    return out
