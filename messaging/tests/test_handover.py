"""Talking to a person: while staff have the conversation the buyer's payment proofs still
reach her order, she can go back to the bot, the handover ends by itself after a quiet time,
and outside opening hours she is told when a person will answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from messaging import services as messaging_services
from messaging.bot import support_hours
from messaging.bot.flow import machine
from messaging.bot.flow.effects import AttachProof, Reserve, ResumeBot
from messaging.bot.flow.events import InboundEvent, Media
from messaging.models import Contact, OutboundMessage
from messaging.testing.world import FakeWorld, Phone, all_ids, all_text, make_raffle
from raffles.models import Order, PaymentProof, TicketNumber
from raffles.services.reservations import expiry

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
T = InboundEvent.text_message


def contact_of(phone: Phone) -> Contact:
    return Contact.objects.get(wa_id=phone.wa_id)


def waiting_order(phone: Phone, raffle) -> Order:
    phone.text("hi")
    phone.tap("raffles")
    phone.pick(f"raffle:{raffle.pk}")
    phone.text("7")
    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    phone.tap(f"confirm:{order.code}")
    return order


def reads_of(fake_graph) -> list[dict]:
    return [
        r.json
        for r in fake_graph.message_requests()
        if isinstance(r.json, dict) and r.json.get("status") == "read"
    ]


# --- Proofs while a person has the conversation ------------------------------------------------


@pytest.mark.django_db
def test_a_proof_sent_while_paused_is_attached_and_keeps_the_hold(phone, raffle, fake_graph):
    order = waiting_order(phone, raffle)
    phone.text("agent")
    assert contact_of(phone).bot_paused
    fake_graph.add_media("paid-1", JPEG, "image/jpeg")
    answer = phone.media("image", "paid-1", "image/jpeg")
    proof = PaymentProof.objects.get(order=order)
    assert proof.source_media_id == "paid-1"
    order.refresh_from_db()
    assert order.proof_received_at is not None
    assert TicketNumber.objects.get(reserved_by_order=order).reserved_until is None
    assert order.code in all_text(answer)  # the buyer hears that it reached her order
    assert contact_of(phone).bot_paused  # still with the person
    # The hold no longer runs out, and no reminder asks for the receipt.
    held_until = Order.objects.get(pk=order.pk).expires_at
    assert expiry.send_expiry_reminders(held_until - timedelta(minutes=5)) == 0
    expiry.expire_reservations(held_until + timedelta(days=2))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db
def test_no_typing_indicator_for_messages_the_bot_does_not_answer(phone, raffle, fake_graph):
    phone.text("hi")
    phone.text("agent")
    assert phone.text("hello? anyone?") == []
    last = reads_of(fake_graph)[-1]
    assert "typing_indicator" not in last
    assert "typing_indicator" in reads_of(fake_graph)[0]


# --- Going back to the bot ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["menu", "Menú", "volver", "voltar", "back to the bot"])
def test_the_buyer_goes_back_to_the_bot(phone, raffle, word):
    phone.text("hi")
    agent = phone.text("agent")
    assert "menu" in all_ids(agent)  # the "Back to the bot" button
    menu = phone.text(word)
    contact = contact_of(phone)
    assert not contact.bot_paused
    assert not contact.wants_agent
    assert f"raffle:{raffle.pk}" in all_ids(menu)


@pytest.mark.django_db
def test_the_back_to_the_bot_button_resumes(phone, raffle):
    phone.text("hi")
    phone.text("agent")
    menu = phone.tap("menu", "Back to the bot")
    assert not contact_of(phone).bot_paused
    assert f"raffle:{raffle.pk}" in all_ids(menu)


@pytest.mark.django_db
def test_a_greeting_to_the_person_does_not_resume(phone, raffle):
    phone.text("hi")
    phone.text("agent")
    assert phone.text("hola") == []
    assert contact_of(phone).bot_paused


# --- The handover ends by itself ------------------------------------------------------------


@pytest.mark.django_db
def test_the_handover_ends_after_the_quiet_time(phone, raffle, settings):
    settings.HANDOVER_QUIET_MINUTES = 30
    phone.text("hi")
    phone.text("agent")
    contact = contact_of(phone)
    now = timezone.now()
    assert messaging_services.end_quiet_handovers(now + timedelta(minutes=29)) == 0
    assert contact_of(phone).bot_paused
    assert messaging_services.end_quiet_handovers(now + timedelta(minutes=31)) == 1
    contact = contact_of(phone)
    assert not contact.bot_paused
    assert contact.wants_agent  # nobody answered her: still shown as waiting in the portal
    assert phone.text("menu")  # the bot answers again


@pytest.mark.django_db
def test_a_staff_reply_restarts_the_quiet_time(phone, raffle, settings):
    settings.HANDOVER_QUIET_MINUTES = 30
    phone.text("hi")
    phone.text("agent")
    start = timezone.now()
    contact = contact_of(phone)
    messaging_services.send_staff_reply(contact, "Hi Ana, how can I help?")
    contact = contact_of(phone)
    assert not contact.wants_agent  # answered
    assert contact.handover_until is not None
    assert contact.handover_until >= start + timedelta(minutes=30)
    assert (
        messaging_services.end_quiet_handovers(contact.handover_until - timedelta(seconds=1)) == 0
    )
    assert messaging_services.end_quiet_handovers(contact.handover_until) == 1


@pytest.mark.django_db
def test_the_sweeper_ends_quiet_handovers(phone, raffle, settings):
    from messaging import tasks

    settings.HANDOVER_QUIET_MINUTES = 30
    phone.text("hi")
    phone.text("agent")
    Contact.objects.filter(wa_id=phone.wa_id).update(
        handover_until=timezone.now() - timedelta(minutes=1)
    )
    assert tasks.sweep()["handovers_ended"] == 1
    assert not contact_of(phone).bot_paused


@pytest.mark.django_db
def test_staff_resume_clears_the_request(phone, raffle):
    phone.text("hi")
    phone.text("agent")
    contact = messaging_services.set_bot_paused(contact_of(phone), False)
    assert not contact.wants_agent
    assert contact.handover_until is None


# --- Opening hours ----------------------------------------------------------------------------

BOGOTA = ZoneInfo("America/Bogota")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BOGOTA)


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2026-12-02 10:00", None),  # a Wednesday, open
        ("2026-12-02 08:00", "2026-12-02 09:00"),
        ("2026-12-02 18:30", "2026-12-03 09:00"),
        ("2026-12-04 19:00", "2026-12-07 09:00"),  # Friday evening: Monday
        ("2026-12-05 12:00", "2026-12-07 09:00"),  # Saturday
    ],
)
def test_next_opening(now, opens):
    hours = support_hours.parse("Mon-Fri 09:00-18:00")
    expected = at(opens) if opens else None
    assert support_hours.next_opening(hours, at(now), BOGOTA) == expected


def test_several_ranges_and_no_hours():
    hours = support_hours.parse("Mon-Fri 09:00-18:00; Sat 10:00-14:00")
    assert support_hours.next_opening(hours, at("2026-12-04 19:00"), BOGOTA) == at(
        "2026-12-05 10:00"
    )
    assert (
        support_hours.next_opening(support_hours.parse(""), at("2026-12-05 03:00"), BOGOTA) is None
    )


def test_bad_hours_are_refused():
    with pytest.raises(ValueError, match="not like"):
        support_hours.parse("Mon-Fri 9-18h")
    with pytest.raises(ValueError, match="ends before"):
        support_hours.parse("Mon 18:00-09:00")


def test_outside_hours_the_buyer_is_told_when_a_person_answers():
    world = FakeWorld(raffles={1: make_raffle()})
    world.support_opens_at = datetime(2026, 12, 7, 9, 0, tzinfo=BOGOTA)
    turn = machine.handle("start", {}, T("agent"), world)
    text = " ".join(getattr(r, "body", "") for r in turn.replies)
    assert "Monday" in text
    assert "09:00" in text
    assert "America/Bogota" in text


def test_in_hours_no_opening_time_is_given():
    world = FakeWorld(raffles={1: make_raffle()})
    turn = machine.handle("start", {}, T("agent"), world)
    text = " ".join(getattr(r, "body", "") for r in turn.replies)
    assert "09:00" not in text


# --- The pure core while paused -----------------------------------------------------------------


def test_paused_core_attaches_proofs_and_resumes_on_menu():
    world = FakeWorld(raffles={1: make_raffle()})
    photo = InboundEvent.media_message("m", "image/jpeg")
    assert machine.handle_paused("start", {}, T("anyone there?"), world) is None
    assert machine.handle_paused("start", {}, photo, world) is None  # no order: for the person
    order = world.reserve(Reserve(1, (7,)))
    turn = machine.handle_paused("start", {}, photo, world)
    assert turn is not None
    assert turn.domain_effect == AttachProof(
        order.code, Media(media_id="m", mime_type="image/jpeg")
    )
    resumed = machine.handle_paused("start", {}, T("volver"), world)
    assert resumed is not None
    assert ResumeBot() in resumed.effects
    assert machine.handle_paused("start", {}, InboundEvent.button("menu"), world) is not None


@pytest.mark.django_db
def test_a_late_reminder_does_not_ask_for_a_receipt_already_sent(phone, raffle, fake_graph):
    """A reminder signalled for an order whose proof arrived meanwhile is not sent."""
    from raffles import signals

    order = waiting_order(phone, raffle)
    phone.text("agent")
    fake_graph.add_media("paid-2", JPEG, "image/jpeg")
    phone.media("image", "paid-2", "image/jpeg")
    before = OutboundMessage.objects.filter(contact__wa_id=phone.wa_id).count()
    signals.order_expiring_soon.send(sender=Order, order=Order.objects.get(pk=order.pk))
    assert OutboundMessage.objects.filter(contact__wa_id=phone.wa_id).count() == before
