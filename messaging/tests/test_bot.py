"""Whole conversations through the real webhook (signed POSTs) and the fake Graph API (real
HTTP): what the buyer sends in, what the fake Graph API received back out."""

from __future__ import annotations

import pytest
from django.utils import timezone

from messaging.models import InboundMessage
from messaging.testing.world import Phone, all_ids, all_text, body_of
from messaging.tests.bot_fixtures import JPEG, PDF, contact_of, live_order, reach
from raffles import services
from raffles.models import Order, PaymentProof

pytestmark = pytest.mark.django_db


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
