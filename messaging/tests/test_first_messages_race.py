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
from messaging.models import Contact, InboundMessage
from messaging.tests.test_processing import batch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.parametrize("round_", range(6))  # either delivery may win the insert
def test_two_first_deliveries_at_once_keep_the_latest_window_time(round_, echo_handler):
    wa_id = f"5215530000{round_:02d}"
    deliveries = [batch((wa_id, f"wamid.race{round_}.{t}", t, "hi")) for t in (100, 200)]
    barrier = threading.Barrier(2)
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

    contact = Contact.objects.get(wa_id=wa_id)
    assert InboundMessage.objects.filter(contact=contact).count() == 2
    assert contact.last_inbound_at is not None
    assert contact.last_inbound_at.timestamp() == 200
