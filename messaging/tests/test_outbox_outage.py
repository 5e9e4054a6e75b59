"""Long Graph API outages, in simulated time: the fake Graph API answers 500 until told to
recover, the outbox's clock is advanced minute by minute and the sweeper runs each minute."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from messaging.channel import outbox, sending
from messaging.models import Contact, InboundMessage, OutboundMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


@pytest.fixture
def outage(fake_graph, settings, sim_clock):
    """Real backoff sizes, and no waiting inside the task: every retry goes through the
    queue and the sweeper, as in production once the waits grow."""
    settings.WHATSAPP_RETRY_BASE_SECONDS = 2.0
    settings.WHATSAPP_INLINE_RETRY_MAX_SECONDS = 0
    fake_graph.fail_until_recovered(status=500)
    return fake_graph


def minutes_pass(minutes: int, clock: Any, run_after_commit: Any) -> None:
    """The sweeper's schedule: once a minute."""
    for _ in range(minutes):
        clock.advance(60)
        run_after_commit(sending.sweep_outbox, grace_seconds=30)


def inbound(contact: Contact, n: int) -> InboundMessage:
    return InboundMessage.objects.create(
        wa_message_id=f"wamid.IN{n}",
        contact=contact,
        type="text",
        text=f"question {n}",
        status="processed",
    )


def conversation(contact: Contact, replies: int) -> None:
    """A reply at the head of the queue, then read receipts interleaved with replies."""
    outbox.queue_text(contact, "reply 0")
    for n in range(1, replies):
        outbox.queue_read(inbound(contact, n))
        outbox.queue_text(contact, f"reply {n}")


def texts(fake) -> list[str]:
    return [p["text"]["body"] for p in fake.sent_payloads() if p["type"] == "text"]


@pytest.mark.parametrize("outage_minutes", [7, 180])
def test_every_reply_survives_an_outage_once_and_in_order(
    outage, contact, sim_clock, run_after_commit, outage_minutes
):
    contact.last_inbound_at = sim_clock.now()
    contact.save()
    run_after_commit(conversation, contact, 5)
    minutes_pass(outage_minutes, sim_clock, run_after_commit)
    assert texts(outage) == []
    outage.recover()
    minutes_pass(20, sim_clock, run_after_commit)

    assert texts(outage) == [f"reply {n}" for n in range(5)]
    replies = OutboundMessage.objects.filter(kind="text")
    assert set(replies.values_list("status", flat=True)) == {"sent"}
    reads = OutboundMessage.objects.filter(kind="read")
    assert reads.count() == 4
    for row in reads:
        assert row.status == "dropped"
        assert "minute" in row.last_error
    assert not [
        r for r in outage.message_requests() if r.json.get("status") == "read" and r.status == 200
    ]
    # Nothing is left for the sweeper, and it sends nothing more.
    before = len(outage.message_requests())
    minutes_pass(30, sim_clock, run_after_commit)
    assert len(outage.message_requests()) == before


def test_a_fresh_read_receipt_still_goes_after_a_short_outage(
    outage, contact, sim_clock, run_after_commit
):
    contact.last_inbound_at = sim_clock.now()
    contact.save()
    run_after_commit(outbox.queue_read, inbound(contact, 1))
    sim_clock.advance(20)
    outage.recover()
    run_after_commit(sending.sweep_outbox, grace_seconds=0)
    row = OutboundMessage.objects.get()
    assert row.status == "sent"


def test_replies_are_undeliverable_once_the_window_closes_and_notifications_use_the_template(
    outage, contact, sim_clock, settings, run_after_commit
):
    settings.WHATSAPP_TEMPLATE_NAME = "raffle_update"
    contact.last_inbound_at = sim_clock.now() - timedelta(hours=23, minutes=50)
    contact.save()

    def queue() -> None:
        outbox.queue_text(contact, "a reply")
        outbox.queue_notification(contact, "Your order is paid")

    run_after_commit(queue)
    minutes_pass(20, sim_clock, run_after_commit)  # the window closed 10 minutes ago
    outage.recover()
    minutes_pass(20, sim_clock, run_after_commit)

    reply, notification = OutboundMessage.objects.order_by("id")
    assert reply.status == "undeliverable"
    assert "24-hour" in reply.last_error
    assert (notification.kind, notification.status) == ("template", "sent")
    [payload] = outage.sent_payloads()
    assert payload["template"]["name"] == "raffle_update"
    assert payload["template"]["components"][0]["parameters"][0]["text"] == "Your order is paid"


def test_a_notification_without_a_template_is_undeliverable_when_the_window_closes(
    outage, contact, sim_clock, settings, run_after_commit
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    contact.last_inbound_at = sim_clock.now() - timedelta(hours=23, minutes=55)
    contact.save()
    run_after_commit(outbox.queue_notification, contact, "Your order is paid")
    minutes_pass(10, sim_clock, run_after_commit)
    outage.recover()
    minutes_pass(20, sim_clock, run_after_commit)
    row = OutboundMessage.objects.get()
    assert row.status == "undeliverable"
    assert "WHATSAPP_TEMPLATE_NAME" in row.last_error
    assert outage.sent_payloads() == []


def test_retries_stop_after_the_retry_period_and_staff_can_resend(
    outage, contact, sim_clock, settings, run_after_commit, staff_user
):
    from messaging.channel import resend

    settings.WHATSAPP_SEND_RETRY_HOURS = 2
    run_after_commit(outbox.queue_template, contact, "raffle_update", "es_MX", ["hola"])
    minutes_pass(150, sim_clock, run_after_commit)
    row = OutboundMessage.objects.get()
    assert row.status == "failed"
    assert "Gave up" in row.last_error
    attempts = row.attempts
    assert attempts > 8  # kept trying for two hours, backing off
    requests_so_far = len(outage.message_requests())
    minutes_pass(60, sim_clock, run_after_commit)
    assert len(outage.message_requests()) == requests_so_far  # failed is final

    outage.recover()
    run_after_commit(resend.resend_message, row.pk, by=staff_user)
    row.refresh_from_db()
    assert row.status == "sent"
    assert [p["template"]["name"] for p in outage.sent_payloads()] == ["raffle_update"]
