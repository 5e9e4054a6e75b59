"""Pacing: never above WHATSAPP_MESSAGES_PER_SECOND per phone number."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection

from messaging.channel import outbox, pacing
from messaging.models import Contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


def test_sends_are_paced(fake_graph, settings, run_after_commit):
    settings.WHATSAPP_MESSAGES_PER_SECOND = 5
    contacts = [Contact.objects.create(wa_id=f"52155000000{i:02d}") for i in range(10)]

    def queue_all():
        for contact in contacts:
            outbox.queue_text(contact, "hola")

    run_after_commit(queue_all)
    times = [r.at for r in fake_graph.message_requests()]
    assert len(times) == 10
    # Any 6 consecutive requests span at least a second: never more than 5 in one second.
    for first, sixth in zip(times, times[5:], strict=False):
        assert sixth - first >= 0.98


@pytest.mark.django_db(transaction=True)
def test_slots_are_spaced_across_threads():
    slots: list = []
    lock = threading.Lock()

    def reserve() -> None:
        try:
            for _ in range(10):
                slot = pacing.reserve_slot("phone-1", per_second=50)
                with lock:
                    slots.append(slot)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    slots.sort()
    assert len(slots) == 40
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= timedelta(seconds=1 / 50) - timedelta(microseconds=5)


def test_phone_numbers_are_paced_separately():
    a1 = pacing.reserve_slot("a", per_second=1)
    b1 = pacing.reserve_slot("b", per_second=1)
    a2 = pacing.reserve_slot("a", per_second=1)
    assert abs((b1 - a1).total_seconds()) < 0.5
    assert (a2 - a1).total_seconds() >= 0.999
