"""Pacing: never above WHATSAPP_MESSAGES_PER_SECOND per phone number."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection

from messaging.channel import clock, outbox, pacing
from messaging.models import Contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


def test_sends_are_paced(fake_graph, settings, run_after_commit, monkeypatch):
    """Each send waits for its own slot, and the slots of one number are 1/rate apart: never
    more than 5 in one second (read from the slots, not from a stopwatch)."""
    settings.WHATSAPP_MESSAGES_PER_SECOND = 5
    contacts = [Contact.objects.create(wa_id=f"52155000000{i:02d}") for i in range(10)]
    waited: list[tuple] = []
    wait = pacing.wait_until

    def recording_wait(moment):
        wait(moment)
        waited.append((moment, clock.now()))

    monkeypatch.setattr(pacing, "wait_until", recording_wait)

    def queue_all():
        for contact in contacts:
            outbox.queue_text(contact, "hola")

    run_after_commit(queue_all)
    assert len(fake_graph.message_requests()) == 10
    slots = sorted(moment for moment, _ in waited)
    assert len(slots) == 10
    assert all(after >= moment for moment, after in waited)  # nothing sent before its slot
    for first, sixth in zip(slots, slots[5:], strict=False):
        assert sixth - first >= timedelta(seconds=1)


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
