"""Whole conversations through the real webhook (signed POSTs) and the fake Graph API (real
HTTP): what the buyer sends in, what the fake Graph API received back out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from messaging.models import Contact, InboundMessage
from messaging.testing.world import Phone, all_ids, all_text, body_of
from raffles import services
from raffles.models import Order, PaymentProof
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

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


# --- Happy paths ----------------------------------------------------------------------------


def test_happy_path_with_specific_numbers(phone, raffle, fake_graph, run_after_commit):
    welcome = phone.text("hi")
    assert [p["interactive"]["type"] for p in welcome] == ["button", "list"]
    # The list carries the *Raffles* control: the buttons above it do not repeat it.
    assert all_ids(welcome) == ["tickets", "help", f"raffle:{raffle.pk}"]
    assert "Hi Ana!" in body_of(welcome[0])

    listing = phone.tap("raffles")
    row = listing[0]["interactive"]["action"]["sections"][0]["rows"][0]
    assert row == {
        "id": f"raffle:{raffle.pk}",
        "title": "Mountain bike",
        "description": "10.00 USD · 100 left",
    }

    details = phone.pick(f"raffle:{raffle.pk}")
    text = all_text(details)
    for expected in ("A mountain bike", "10.00 USD per number", "00 to 99: 100 left", "Draw:"):
        assert expected in text
    assert "Sales close:" in text
    assert all_ids(details)[:3] == [
        f"pick:{raffle.pk}",
        f"random:{raffle.pk}:1",
        f"random:{raffle.pk}:2",
    ]

    reserved = phone.text("5, 12")
    assert phone.sent == 4  # hi, Raffles, the raffle, the numbers: reserved
    order = live_order(phone)
    assert order.numbers() == [5, 12]
    text = all_text(reserved)
    assert f"Order *{order.code}*" in text
    assert "Numbers: 05, 12" in text
    assert "Total: *20.00 USD*" in text
    local = timezone.localtime(order.expires_at).strftime("%H:%M")
    assert f"yours until {local} UTC" in text
    # She said exactly which numbers: the payment details come with the reservation.
    assert all_ids(reserved) == [f"cancel:{order.code}", "agent", "help"]
    assert "Transfer to Bank XYZ, account 123-456" in text
    assert contact_of(phone).state == "payment"

    fake_graph.add_media("media-77", JPEG, "image/jpeg")
    ack = phone.media("image", "media-77", "image/jpeg")
    assert "Got it! We received your payment receipt" in all_text(ack)
    proof = PaymentProof.objects.get(order=order)
    assert proof.source_media_id == "media-77"
    assert proof.file.read() == JPEG
    order.refresh_from_db()
    assert order.proof_received_at is not None
    assert contact_of(phone).state == "review"

    run_after_commit(services.confirm_paid, order)
    receipt, ticket = phone.inbox()  # the text receipt, then the ticket picture
    assert ticket["type"] == "image"
    text = body_of(receipt)
    assert "Payment confirmed" in text
    assert order.code in text
    assert "Mountain bike" in text
    assert "05, 12" in text

    tickets = phone.text("my tickets")
    assert "Mountain bike: 05, 12" in all_text(tickets)


def test_happy_path_with_random_numbers_in_spanish(
    phone, raffle, fake_graph, spanish, run_after_commit
):
    welcome = phone.text("hola")
    assert "¡Hola, Ana! 👋 Bienvenido" in body_of(welcome[0])
    phone.pick(f"raffle:{raffle.pk}")
    reserved = phone.text("al azar 2")
    assert phone.sent == 3  # hola, the raffle from the list, "al azar 2"
    order = live_order(phone)
    assert len(order.numbers()) == 2
    text = all_text(reserved)
    assert "¡Reservados para ti!" in text
    assert "Total: *20.00 USD*" in text
    numbers = ", ".join(order.formatted_numbers())
    assert f"Números: {numbers}" in text

    payment = phone.tap(f"confirm:{order.code}")
    assert "Cómo pagar" in all_text(payment)
    fake_graph.add_media("doc-1", PDF, "application/pdf")
    ack = phone.media("document", "doc-1", "application/pdf", "transferencia.pdf")
    assert "Recibimos tu comprobante" in all_text(ack)
    assert PaymentProof.objects.get(order=order).mime_type == "application/pdf"

    run_after_commit(services.reject_payment, order, "El monto no coincide")
    [rejected] = phone.inbox()
    assert "Motivo: El monto no coincide" in body_of(rejected)
    fake_graph.add_media("doc-2", PDF + b"2", "application/pdf")
    phone.media("document", "doc-2", "application/pdf")
    assert order.proofs.count() == 2

    run_after_commit(services.confirm_paid, order)
    receipt, ticket = phone.inbox()
    assert ticket["image"]["caption"].startswith("Tu boleto")
    assert "¡Pago confirmado!" in body_of(receipt)
    assert numbers in body_of(receipt)


def test_message_counts_from_hi_to_reserved_numbers(post_webhook, fake_graph, raffle):
    """Buttons and lists only: 3 messages (hi → raffle row → "2 random numbers" row), or 4
    through the Raffles button. Typing "random 2" after picking the raffle: 3."""
    paths = {
        "lists": ["hi", ("pick", f"raffle:{raffle.pk}"), ("pick", f"random:{raffle.pk}:2")],
        "button": [
            "hi",
            ("tap", "raffles"),
            ("pick", f"raffle:{raffle.pk}"),
            ("pick", f"random:{raffle.pk}:2"),
        ],
        "typed": ["hi", ("pick", f"raffle:{raffle.pk}"), "random 2"],
        "typed numbers": ["hi", ("tap", "raffles"), ("pick", f"raffle:{raffle.pk}"), "3, 4"],
    }
    counts = {}
    for i, (name, steps) in enumerate(paths.items()):
        phone = Phone(post_webhook, fake_graph, f"52155900000{i}", "Test")
        for step in steps:
            if isinstance(step, str):
                phone.text(step)
            else:
                getattr(phone, step[0])(step[1])
        order = live_order(phone)
        assert order.qty == 2
        counts[name] = phone.sent
        services.cancel_order(order)  # free its numbers for the next path
    assert counts == {"lists": 3, "button": 4, "typed": 3, "typed numbers": 4}


# --- Commands in every state, both languages ------------------------------------------------

STATES = ["start", "browsing", "raffle", "confirm", "payment", "review"]
COMMANDS = {
    "en": {
        "menu": "Welcome",
        "help": "You can type at any time",
        "back": "",
        "cancel": "",
        "my tickets": "",
        "results": "No results yet",
        "agent": "A person from our team",
    },
    "es": {
        "menú": "Bienvenido",
        "ayuda": "Puedes escribir en cualquier momento",
        "atrás": "",
        "cancelar": "",
        "mis boletos": "",
        "resultados": "Todavía no hay resultados",
        "asesor": "Una persona de nuestro equipo",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("state", STATES)
def test_every_command_in_every_state(post_webhook, fake_graph, raffle, settings, language, state):
    settings.LANGUAGE_CODE = language
    for i, (command, expected) in enumerate(COMMANDS[language].items()):
        phone = Phone(post_webhook, fake_graph, f"5215580{STATES.index(state)}{i:04d}", "Eva")
        reach(phone, raffle, state, fake_graph, numbers=str(10 + i))
        had_order = Order.objects.filter(buyer__phone="+" + phone.wa_id).first()
        answer = phone.text(command)
        text = all_text(answer)
        assert answer, (state, command)
        assert text.strip(), (state, command)
        if expected:
            assert expected in text, (state, command, text)
        contact = contact_of(phone)
        if command in ("cancel", "cancelar"):
            if state in ("confirm", "payment"):
                had_order.refresh_from_db()
                assert had_order.status == Order.Status.CANCELLED
                assert contact.state == "start"
            elif state == "review":
                had_order.refresh_from_db()
                assert had_order.status == Order.Status.PENDING_PAYMENT  # under review
        if command in ("my tickets", "mis boletos") and had_order:
            assert had_order.code in text
        if command in ("agent", "asesor"):
            assert contact.bot_paused
            assert contact.wants_agent
            assert phone.text("hello?") == []  # silent now, but the message is stored
            assert InboundMessage.objects.filter(contact=contact, text="hello?").exists()
        if command in ("back", "atrás"):
            expected_state = {
                "start": "start",
                "browsing": "start",
                "raffle": "browsing",
                "confirm": "confirm",
                "payment": "confirm",
                "review": "start",
            }[state]
            assert contact.state == expected_state, (state, contact.state)


def test_commitment_and_results_once_raffles_has_draws(phone, raffle, run_after_commit):
    from raffles.models import Draw

    commitment = Draw.objects.get(raffle=raffle).commitment
    phone.text("hi")
    details = phone.pick(f"raffle:{raffle.pk}")
    assert commitment not in all_text(details)  # a short line and the link instead
    assert f"/raffles/{raffle.public_id}/draw/" in all_text(details)
    assert commitment in all_text(phone.text("how is the winner chosen?"))
    phone.text("3")
    order = live_order(phone)
    run_after_commit(services.confirm_paid, order)
    run_after_commit(services.close_raffle, raffle)
    run_after_commit(services.draw_raffle, raffle, external_value="lottery 4821", prizes=1)
    receipt, ticket, drawn, claim = phone.inbox()
    assert ticket["type"] == "image"
    assert "To claim your prize" in body_of(claim)
    assert "Payment confirmed" in body_of(receipt)
    assert "was drawn" in body_of(drawn)
    results = all_text(phone.text("results"))
    assert "Mountain bike" in results
    assert "Winning numbers: 03" in results
    assert "You won with 03" in results

    run_after_commit(services.archive_raffle, raffle=raffle)  # kept for records, not listed
    assert "Mountain bike" not in all_text(phone.text("results"))


def test_results_before_any_draw(phone, raffle):
    phone.text("hi")
    text = all_text(phone.text("resultados"))
    assert "No results yet" in text
    assert "Next draws:" in text
    assert "Mountain bike" in text


def test_staff_resume_the_bot_after_an_agent(phone, raffle):
    from messaging.services import set_bot_paused

    phone.text("hi")
    phone.text("agent")
    assert phone.text("anyone there?") == []
    set_bot_paused(contact_of(phone), False)
    assert phone.text("menu")


def test_language_switch_is_remembered(phone, raffle):
    phone.text("hi")
    answer = phone.text("español")
    assert "desde ahora te escribo en español" in all_text(answer)
    assert contact_of(phone).language == "es"
    assert "Rifas a la venta" in all_text(phone.text("rifas"))
    phone.text("english")
    assert contact_of(phone).language == "en"
    assert "Raffles on sale" in all_text(phone.text("raffles"))


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
