"""A new sender's first messages arrive in two deliveries at once (Meta may deliver them in
parallel): real threads, each with its own connection, on the test database (SQLite or
PostgreSQL). One delivery inserts the contact with the time its message opened the service
window; the other finds it and moves that time on: one contact, both messages, the latest
time."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from messaging.channel import inbound
from messaging.models import Contact, InboundMessage, WebhookDelivery
from messaging.tests.test_processing import batch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def deliver_at_once(*deliveries: dict) -> None:
    """Store each delivery in its own thread (and connection), all let go at once."""
    barrier = threading.Barrier(len(deliveries))
    failures: list[BaseException] = []

    def deliver(data: dict) -> None:
        try:
            barrier.wait(timeout=10)
            inbound.store_delivery(json.dumps(data).encode(), data)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(d,)) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


@pytest.mark.parametrize("round_", range(6))  # either delivery may win the insert
def test_two_first_deliveries_at_once_keep_the_latest_window_time(round_, echo_handler):
    wa_id = f"5215530000{round_:02d}"
    deliver_at_once(*(batch((wa_id, f"wamid.race{round_}.{t}", t, "hi")) for t in (100, 200)))
    contact = Contact.objects.get(wa_id=wa_id)
    assert InboundMessage.objects.filter(contact=contact).count() == 2
    assert contact.last_inbound_at is not None
    assert contact.last_inbound_at.timestamp() == 200


@pytest.mark.parametrize("round_", range(4))
def test_the_same_delivery_twice_at_once_stores_its_message_once(round_, echo_handler, monkeypatch):
    """Meta retrying while the first delivery is in flight: both look the message up before
    either stores it (held there until both have), and the INSERT that comes second skips
    it: one message, nothing parked."""
    wa_id = f"5215531000{round_:02d}"
    looked_up = threading.Barrier(2)
    look_up = inbound._look_up

    def both_look_up_first(batch_):
        seen = look_up(batch_)
        looked_up.wait(timeout=10)
        return seen

    monkeypatch.setattr(inbound, "_look_up", both_look_up_first)
    data = batch((wa_id, f"wamid.copy{round_}", 100, "hi"))
    deliver_at_once(data, data)
    assert InboundMessage.objects.filter(wa_message_id=f"wamid.copy{round_}").count() == 1
    assert Contact.objects.filter(wa_id=wa_id).count() == 1
    deliveries = WebhookDelivery.objects.all()
    assert [d.error for d in deliveries] == ["", ""]  # both stored whole, nothing parked
