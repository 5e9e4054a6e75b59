"""Signal receivers → outbox: what a buyer hears when something happens to an order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.bot import acting, notifications
from messaging.channel import outbox
from messaging.channel.identity import get_contact
from messaging.models import Contact, OutboundMessage
from messaging.testing.world import Phone, body_of
from raffles import services, signals
from raffles.models import Order
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def raffle():
    return make_raffle(size=100, title="TV", payment_instructions="Bank 1")


@pytest.fixture
def contact() -> Contact:
    contact = get_contact("5215577778888")
    contact.last_inbound_at = timezone.now() - timedelta(minutes=5)  # window open
    contact.save()
    return contact


@pytest.fixture
def buyer(contact):
    return contact.buyer


def texts(contact: Contact) -> list[str]:
    return [
        body_of(row.payload)
        for row in OutboundMessage.objects.filter(contact=contact).exclude(
            kind__in=["read", "image"]
        )
    ]


def test_a_reservation_made_elsewhere_is_notified(raffle, buyer, contact):
    order = services.reserve_specific(raffle.pk, [3, 4], buyer)
    [text] = texts(contact)
    assert f"Order *{order.code}*" in text
    assert "03, 04" in text


def test_a_reservation_made_by_the_bot_is_not_notified_twice(post_webhook, fake_graph, raffle):
    phone = Phone(post_webhook, fake_graph, "5215566665555", "Ana")
    phone.text("hi")
    phone.pick(f"raffle:{raffle.pk}")
    answer = phone.text("5")
    assert len(answer) == 1  # the bot's own "Reserved for you", no second notice
    assert "Reserved for you" in body_of(answer[0])


def test_reminder_before_the_hold_expires(raffle, buyer, contact, settings):
    order = services.reserve_specific(raffle.pk, [8], buyer)
    services.send_expiry_reminders(now=order.expires_at - timedelta(minutes=5))
    text = texts(contact)[-1]
    assert "Reminder" in text
    assert order.code in text
    assert "10.00 USD" in text


def test_hold_expired(raffle, buyer, contact):
    order = services.reserve_specific(raffle.pk, [8], buyer)
    services.expire_reservations(now=order.expires_at + timedelta(seconds=1))
    text = texts(contact)[-1]
    assert "expired and the numbers were released" in text
    assert "08" in text


def test_proof_received_from_elsewhere(raffle, buyer, contact):
    order = services.reserve_specific(raffle.pk, [8], buyer)
    services.attach_payment_proof(order, content=JPEG, mime_type="image/jpeg")
    assert "We received your payment receipt" in texts(contact)[-1]


def test_paid_receipt_has_code_raffle_and_zero_padded_numbers(raffle, buyer, contact):
    order = services.reserve_specific(raffle.pk, [1, 20], buyer)
    services.attach_payment_proof(order, content=JPEG, mime_type="image/jpeg")
    services.confirm_paid(order)
    text = texts(contact)[-1]
    assert "Payment confirmed" in text
    assert order.code in text
    assert "TV" in text
    assert "01, 20" in text


def test_rejected_with_the_reason(raffle, buyer, contact):
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.attach_payment_proof(order, content=JPEG, mime_type="image/jpeg")
    services.reject_payment(order, "Amount does not match")
    text = texts(contact)[-1]
    assert "Reason: Amount does not match" in text
    assert "send a new photo or PDF" in text


def test_cancelled_by_staff_is_notified_but_not_by_the_buyer(raffle, buyer, contact):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("staff", is_staff=True)
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.cancel_order(order, by=staff)
    assert "was cancelled by our team" in texts(contact)[-1]
    count = len(texts(contact))
    other = services.reserve_specific(raffle.pk, [2], buyer)
    count += 1  # its reservation notice
    services.cancel_order(other, by=buyer)
    assert len(texts(contact)) == count


def test_raffle_drawn_tells_the_paid_buyers(raffle, buyer, contact):
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.confirm_paid(order)
    signals.raffle_drawn.send(sender=type(raffle), raffle=raffle)
    assert "“TV” was drawn" in texts(contact)[-1]


def test_a_real_draw_tells_winners_and_the_others(raffle, buyer, contact):
    other = services.get_or_create_buyer(phone="+5215500002222")
    mine = services.confirm_paid(services.reserve_specific(raffle.pk, [7], buyer))
    services.confirm_paid(services.reserve_specific(raffle.pk, [9], other))
    services.close_raffle(raffle)
    draw = services.draw_raffle(raffle, external_value="lottery 2030-01-01: 4821", prizes=2)
    *_, text, claim = texts(contact)  # the result, then how to claim (test_claims.py)
    assert "To claim your prize" in claim
    assert "“TV” was drawn! Winning numbers:" in text
    assert ", ".join(draw.winners) in text
    assert "🎉 You won with 07!" in text
    assert "/draw" in text or "http" in text  # where to verify it
    assert mine.code not in text


def test_in_the_contacts_language(raffle, buyer, contact):
    contact.language = "es"
    contact.save()
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.confirm_paid(order)
    assert "¡Pago confirmado!" in texts(contact)[-1]


def test_outside_the_window_without_a_template_is_recorded_undeliverable(
    raffle, buyer, contact, settings
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    contact.last_inbound_at = timezone.now() - timedelta(days=2)
    contact.save()
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.confirm_paid(order)
    row = OutboundMessage.objects.filter(contact=contact).last()
    assert row.status == OutboundMessage.Status.UNDELIVERABLE
    assert "Payment confirmed" in body_of(row.payload)


def test_outside_the_window_a_notice_without_its_own_template_uses_the_generic_one(
    raffle, buyer, contact, settings
):
    settings.WHATSAPP_TEMPLATE_NAME = "order_update"
    contact.last_inbound_at = None
    contact.save()
    order = services.reserve_specific(raffle.pk, [1], buyer)  # the reservation notice
    row = OutboundMessage.objects.filter(contact=contact).last()
    assert row.kind == OutboundMessage.Kind.TEMPLATE
    assert row.payload["template"]["name"] == "order_update"
    assert order.code in body_of(row.payload)


def test_a_buyer_without_whatsapp_is_skipped(raffle):
    other = services.get_or_create_buyer(phone="+5215500001111")
    order = services.reserve_specific(raffle.pk, [1], other)
    services.confirm_paid(order)
    assert not OutboundMessage.objects.exists()


def test_a_failing_notification_never_breaks_the_domain_change(raffle, buyer, contact, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("outbox on fire")

    monkeypatch.setattr(outbox, "queue_notification", broken)
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.confirm_paid(order)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_bot_acting_is_scoped_to_one_buyer():
    with acting.bot_acting(1):
        assert acting.is_bot_acting(1)
        assert not acting.is_bot_acting(2)
    assert not acting.is_bot_acting(1)


def test_linking_a_contact_gives_its_buyer_a_channel(contact):
    from raffles.models import Buyer

    assert contact.buyer.has_channel
    assert Buyer.objects.get(pk=contact.buyer_id).has_channel


def test_a_buyer_no_contact_was_ever_linked_to_costs_no_lookup(raffle, monkeypatch):
    looked_up: list[int] = []
    monkeypatch.setattr(notifications, "contact_for", lambda pk: looked_up.append(pk))
    stranger = services.get_or_create_buyer(phone="+5215511112222")
    assert not stranger.has_channel
    services.reserve_specific(raffle.pk, [9], stranger)
    assert looked_up == []
    services.mark_has_channel(stranger)
    services.reserve_specific(raffle.pk, [10], stranger)
    assert looked_up == [stranger.pk]
