"""Bad input in whole conversations through the real webhook and the fake Graph API: every
text, message type and stale button gets a useful answer and takes nothing away."""

from __future__ import annotations

from datetime import timedelta

import pytest

from messaging.models import Contact, InboundMessage
from messaging.testing.world import all_ids, all_text, body_of
from messaging.tests.bot_fixtures import JPEG, contact_of, live_order, reach
from raffles import services
from raffles.models import Order, PaymentProof
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


# --- Bad input ----------------------------------------------------------------------------------

BAD = {
    "out of range": ("150", "150 is not a number of this raffle", "150 no es un número"),
    "duplicates": ("5, 5, 6", "You sent 05 more than once", "Enviaste 05 más de una vez"),
    "over the limit": ("1-6", "one order takes up to 5", "un pedido admite hasta 5"),
    "random over the limit": ("random 9", "one order takes up to 5", "un pedido admite hasta 5"),
    "unknown": ("what is this", "didn't understand “what is this”", "no entendí"),
    "long": ("blah " * 200, "long message", "mensaje tan largo"),
    "emojis": ("🎉🎉🎉", "😊", "😊"),
    "spaces": ("   ", "empty message", "mensaje vacío"),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_text_gets_a_useful_answer(phone, raffle, settings, language, case):
    settings.LANGUAGE_CODE = language
    reach(phone, raffle, "raffle")
    text, english, spanish = BAD[case]
    answer = phone.text(text)
    assert (english if language == "en" else spanish) in all_text(answer)
    assert not Order.objects.exists()
    assert contact_of(phone).state == "raffle"


OTHER_TYPES = {
    "audio": (
        {"type": "audio", "audio": {"id": "a1", "mime_type": "audio/ogg", "voice": True}},
        "audio",
        "audios",
    ),
    "video": (
        {"type": "video", "video": {"id": "v1", "mime_type": "video/mp4"}},
        "videos",
        "videos",
    ),
    "sticker": (
        {"type": "sticker", "sticker": {"id": "s1", "mime_type": "image/webp"}},
        "sticker",
        "sticker",
    ),
    "location": (
        {"type": "location", "location": {"latitude": 19.4, "longitude": -99.1}},
        "location",
        "ubicación",
    ),
    "contacts": (
        {"type": "contacts", "contacts": [{"name": {"formatted_name": "X"}}]},
        "contacts",
        "contactos",
    ),
    "unsupported": (
        {"type": "unsupported", "errors": [{"code": 131051}]},
        "kind of message",
        "tipo de mensaje",
    ),
}


def test_a_reaction_gets_no_answer_and_no_typing_indicator(phone, raffle, fake_graph):
    reach(phone, raffle, "raffle")
    reaction = {"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "👍"}}
    assert phone.raw(reaction) == []  # nothing sent back, not even "I didn't understand"
    reads = [
        r.json
        for r in fake_graph.message_requests()
        if isinstance(r.json, dict) and r.json.get("status") == "read"
    ]
    assert "typing_indicator" not in reads[-1]
    assert contact_of(phone).state == "raffle"  # where she was


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", sorted(OTHER_TYPES))
def test_other_message_types_get_a_useful_answer(phone, raffle, settings, language, kind):
    settings.LANGUAGE_CODE = language
    reach(phone, raffle, "raffle")
    message, english, spanish = OTHER_TYPES[kind]
    answer = phone.raw(message)
    text = all_text(answer)
    assert (english if language == "en" else spanish) in text
    # ... and it says what the bot is waiting for.
    assert ("Type the numbers" if language == "en" else "Escribe los números") in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_photo_when_no_order_is_waiting(phone, raffle, fake_graph, settings, language):
    settings.LANGUAGE_CODE = language
    phone.text("hi" if language == "en" else "hola")
    fake_graph.add_media("m-1", JPEG, "image/jpeg")
    answer = phone.media("image", "m-1", "image/jpeg")
    expected = "what it is for" if language == "en" else "no sé para qué es"
    assert expected in all_text(answer)
    assert not PaymentProof.objects.exists()


def test_a_file_that_is_not_a_photo_or_pdf(phone, raffle, fake_graph):
    reach(phone, raffle, "payment")
    fake_graph.add_media("m-2", b"PK\x03\x04 this is a zip", "application/zip")
    answer = phone.media("document", "m-2", "application/zip", "receipt.docx")
    assert "photo (JPEG or PNG) or a PDF" in all_text(answer)
    assert not PaymentProof.objects.exists()
    assert contact_of(phone).state == "payment"


@pytest.mark.parametrize("language", ["en", "es"])
def test_taken_numbers_are_named_with_alternatives_and_a_button_for_the_rest(
    phone, raffle, settings, language
):
    settings.LANGUAGE_CODE = language
    someone = services.get_or_create_buyer(phone="+52155999")
    services.reserve_specific(raffle.pk, [7], someone)
    reach(phone, raffle, "raffle")
    answer = phone.text("7, 9")
    text = all_text(answer)
    if language == "en":
        assert "Sorry, 07 was just taken by someone else" in text
        assert "Free numbers close to them: 06, 08" in text
    else:
        assert "Lo siento, alguien acaba de tomar el 07" in text
        assert "Números libres cercanos: 06, 08" in text
    ids = all_ids(answer)
    assert ids[0] == f"take:{raffle.pk}:9"
    reserved = phone.tap(ids[0])
    assert live_order(phone).numbers() == [9]
    assert "09" in all_text(reserved)


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_expired_hold(phone, raffle, run_after_commit, settings, language):
    settings.LANGUAGE_CODE = language
    reach(phone, raffle, "confirm")
    order = live_order(phone)
    run_after_commit(services.expire_reservations, now=order.expires_at + timedelta(seconds=1))
    [notice] = phone.inbox()
    expected = "expired and the numbers were released" if language == "en" else "venció"
    assert expected in body_of(notice)
    answer = phone.tap(f"confirm:{order.code}")
    assert ("expired" if language == "en" else "venció") in all_text(answer)
    assert all_ids(answer)[0] == f"take:{raffle.pk}:7"  # try them again
    phone.tap(all_ids(answer)[0])
    assert live_order(phone).numbers() == [7]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_raffle_that_closed_meanwhile(phone, raffle, settings, language):
    settings.LANGUAGE_CODE = language
    other = make_raffle(size=10, title="Car")
    reach(phone, raffle, "raffle")
    services.close_raffle(raffle=raffle)
    answer = phone.text("5")
    text = all_text(answer)
    if language == "en":
        assert "“Mountain bike” is not selling numbers any more" in text
    else:
        assert "“Mountain bike” ya no vende números" in text
    assert f"raffle:{other.pk}" in all_ids(answer)
    assert not Order.objects.exists()


def test_a_sold_out_raffle(phone, raffle):
    small = make_raffle(size=2, title="Tiny")
    services.reserve_random(small.pk, 2, services.get_or_create_buyer(phone="+52155999"))
    phone.text("hi")
    answer = phone.pick(f"raffle:{small.pk}")
    assert "“Tiny” is sold out" in all_text(answer)


def test_buttons_from_old_messages(phone, raffle):
    reach(phone, raffle, "confirm")
    first = live_order(phone)
    assert f"change:{first.code}:{raffle.pk}:8" in all_ids(phone.text("8"))  # asks first
    phone.tap(f"change:{first.code}:{raffle.pk}:8")  # replaces the hold before confirming
    second = live_order(phone)
    first.refresh_from_db()
    assert first.status == Order.Status.CANCELLED
    answer = phone.tap(f"confirm:{first.code}")
    assert f"Order *{first.code}* was cancelled" in all_text(answer)
    # A still-valid old button does what it said.
    answer = phone.tap(f"confirm:{second.code}")
    assert "Transfer to Bank XYZ" in all_text(answer)
    # An id we never made.
    assert "old message" in all_text(phone.tap("something-else"))
    # The raffle list of an old message, raffle gone.
    services.close_raffle(raffle=raffle)
    assert "not selling" in all_text(phone.pick(f"raffle:{raffle.pk}"))


def test_every_sample_webhook_is_answered_without_errors(post_webhook, fake_graph, raffle):
    """The channel's fixture files, replayed against the bot: each message gets an answer."""
    from messaging.tests.conftest import all_fixture_names, fixture_json

    for name in all_fixture_names():
        post_webhook(fixture_json(name))
    assert not InboundMessage.objects.filter(status=InboundMessage.Status.FAILED).exists()
    answered = {m.contact_id for m in InboundMessage.objects.exclude(type="system")}
    for contact_id in answered:
        assert Contact.objects.get(pk=contact_id).outbound_messages.exclude(kind="read").exists()
