"""Pictures in the conversation, through the webhook and the fake Graph API: the board for
"which numbers are free?" (en, es, pt), the prize photo with the raffle details, the ticket
beside the paid receipt."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from messaging.models import Contact, OutboundMessage
from messaging.testing.world import Phone, all_ids, all_text
from raffles import services
from raffles.images.board import image_size
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    return make_raffle(
        size=300,
        max_tickets_per_order=100,
        title="Mountain bike",
        prize="A mountain bike",
        draw_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511112222", "Ana López")


def images(payloads: list[dict]) -> list[dict]:
    return [p for p in payloads if p["type"] == "image"]


def picture(fake_graph, payload: dict) -> Image.Image:
    content = fake_graph.media_content(payload["image"]["id"])
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


@pytest.mark.parametrize(
    ("greeting", "question", "said"),
    [
        ("hi", "which numbers are free?", "numbers are free"),
        ("hola", "qué números quedan", "números están libres"),
        ("olá", "quais números estão livres?", "números estão livres"),
    ],
)
def test_which_numbers_are_free_answers_with_the_board(
    phone, fake_graph, raffle, greeting, question, said
):
    services.reserve_specific(raffle.pk, list(range(100)), BuyerFactory())  # block 1 is taken
    phone.text(greeting)
    out = phone.text(question)
    [board] = images(out)
    assert out[0] is board  # the picture, then the words
    image = picture(fake_graph, board)
    assert image.format == "PNG"
    assert image.size == image_size(services_block(100, 199))
    text = all_text(out)
    assert said in text
    assert "200" in text  # free numbers in all
    assert f"/raffles/{raffle.public_id}/draw/" in text  # the public page
    assert f"pick:{raffle.pk}" in all_ids(out)
    assert Contact.objects.get(wa_id=phone.wa_id).state == "raffle"


def services_block(first: int, last: int):
    from raffles.images.board import Block

    return Block(first, last)


def test_the_block_around_the_number_she_asks_for(phone, fake_graph, raffle, monkeypatch):
    from raffles.images import cache

    shown = []
    real = cache.board_png

    def spy(**kwargs):
        shown.append(kwargs["block"])
        return real(**kwargs)

    monkeypatch.setattr(cache, "board_png", spy)
    phone.text("hi")
    phone.text("free numbers 250")
    assert shown == [services_block(200, 299)]


def test_asking_again_unchanged_renders_and_uploads_once(phone, fake_graph, raffle):
    phone.text("hi")
    first = images(phone.text("which numbers are free?"))
    second = images(phone.text("which numbers are free?"))
    assert first[0]["image"]["id"] == second[0]["image"]["id"]
    assert len(fake_graph.uploads()) == 1


def test_the_prize_photo_comes_with_the_raffle_details(phone, fake_graph, raffle):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "purple").save(buffer, format="JPEG")
    services.set_prize_photo(raffle, content=buffer.getvalue())
    phone.text("hi")
    out = phone.pick(f"raffle:{raffle.pk}")
    [photo] = images(out)
    assert out[0] is photo
    assert photo["image"]["caption"] == "A mountain bike"
    assert fake_graph.media_content(photo["image"]["id"]) == buffer.getvalue()
    assert "Mountain bike" in all_text(out)


def test_no_photo_no_picture(phone, fake_graph, raffle):
    phone.text("hi")
    assert images(phone.pick(f"raffle:{raffle.pk}")) == []


@pytest.mark.parametrize(
    ("language", "caption"), [("en", "Your ticket"), ("es", "Tu boleto"), ("pt", "Seu bilhete")]
)
def test_the_paid_receipt_comes_with_the_ticket_picture(
    phone, fake_graph, raffle, run_after_commit, language, caption
):
    phone.text("hi")
    Contact.objects.filter(wa_id=phone.wa_id).update(language=language)
    phone.text("7, 8")
    phone.inbox()
    from raffles.models import Order

    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    run_after_commit(services.confirm_paid, order)
    receipt, ticket = phone.inbox()
    assert receipt["type"] != "image"
    assert ticket["image"]["caption"] == f"{caption} {order.code}"
    image = picture(fake_graph, ticket)
    assert image.mode == "RGB"


def test_no_ticket_picture_outside_the_window(phone, fake_graph, raffle, run_after_commit):
    phone.text("hi")
    phone.text("7")
    from raffles.models import Order

    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    Contact.objects.filter(wa_id=phone.wa_id).update(
        last_inbound_at=timezone.now() - timedelta(days=2)
    )
    run_after_commit(services.confirm_paid, order)
    assert not OutboundMessage.objects.filter(kind="image").exists()


def test_a_first_message_asking_what_is_free_gets_the_board_with_the_welcome(
    phone, fake_graph, raffle
):
    out = phone.text("hola, qué números quedan?")
    kinds = [p["type"] for p in out]
    assert "image" in kinds
    text = all_text(out)
    assert "Ana" in text  # the welcome, folded in
    assert "números están libres" in text
