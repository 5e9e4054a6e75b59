"""Exactly one sender while a send may still be in flight: a slow Graph API, two real workers
draining the same contact, real HTTP to the fake Graph API."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from messaging.channel import graph, sending
from messaging.models import Contact, OutboundMessage

pytestmark = pytest.mark.usefixtures("echo_handler")


def _text_row(contact: Contact, body: str) -> OutboundMessage:
    return OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": contact.wa_id,
            "type": "text",
            "text": {"preview_url": False, "body": body},
        },
    )


@pytest.mark.django_db(transaction=True)
def test_a_slow_graph_api_never_doubles_a_send_nor_breaks_the_order(fake_graph, settings):
    settings.WHATSAPP_SEND_LEASE_SECONDS = 1
    fake_graph.delay = 0.4  # each send takes longer than a third of the configured lease
    contact = Contact.objects.create(wa_id="5215511112222")
    bodies = [f"message {i}" for i in range(7)]
    for body in bodies:
        _text_row(contact, body)
    errors: list[BaseException] = []

    def worker() -> None:
        """A worker that keeps draining the contact (its task, then the sweeper's)."""
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                sending.drain_contact(contact.pk)
                pending = OutboundMessage.objects.filter(
                    contact=contact, status__in=OutboundMessage.PENDING_STATUSES
                )
                if not pending.exists():
                    return
                time.sleep(0.05)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=90)
    assert not errors
    sent = [p["text"]["body"] for p in fake_graph.sent_payloads()]
    assert sent == bodies  # each once, in order
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_the_lease_outlasts_the_whole_request_timeout(settings):
    for seconds in (2, 10, 60, 600):
        settings.WHATSAPP_SEND_LEASE_SECONDS = seconds
        client = graph.GraphClient(base_url="http://127.0.0.1:9", token="t", phone_number_id="1")
        connect, read = client.timeout
        assert sending.lease().total_seconds() > connect + read


@pytest.mark.django_db
def test_a_claim_runs_from_the_claim_and_past_the_slot(contact, sim_clock):
    from datetime import timedelta

    row = _text_row(contact, "hola")
    long_ago = sim_clock.now() - timedelta(minutes=5)
    token = sending.claim(row.pk, slot=long_ago)
    row.refresh_from_db()
    assert token is not None
    assert row.claimed_until >= sim_clock.now() + sending.lease() - timedelta(seconds=1)
    later = sim_clock.now() + timedelta(seconds=30)
    other = _text_row(contact, "adios")
    sending.claim(other.pk, slot=later)
    other.refresh_from_db()
    assert other.claimed_until >= later + sending.lease()


@pytest.mark.django_db
def test_a_lost_claim_is_not_sent(fake_graph, contact):
    row = _text_row(contact, "hola")
    token = sending.claim(row.pk)
    assert token is not None
    # Another worker took it over (our lease was deemed expired) before our request went out.
    OutboundMessage.objects.filter(pk=row.pk).update(claim_token="someone-else")
    assert sending.send_claimed(row.pk, token) is False
    assert fake_graph.message_requests() == []
