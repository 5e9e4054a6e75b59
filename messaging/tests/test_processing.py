"""Per-contact processing: in order, one worker at a time, robust to dead workers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from messaging import tasks
from messaging.bot import handlers
from messaging.channel import processing, shapes
from messaging.channel.inbound import ingest
from messaging.models import Contact, InboundMessage, OutboundMessage

pytestmark = pytest.mark.usefixtures("echo_handler")
REAL_HANDLER = handlers.handle_inbound  # the bot, before echo_handler replaces it


def batch(*messages: tuple[str, str, int, str]) -> dict:
    """messages: (wa_id, wamid, timestamp, text)."""
    texts = [
        {"from": wa, "id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": text}}
        for wa, wamid, ts, text in messages
    ]
    return shapes.delivery({"messaging_product": "whatsapp", "messages": texts})


@pytest.fixture
def recorder(monkeypatch):
    seen: list[str] = []

    def record(message):
        seen.append(message.text)

    monkeypatch.setattr(handlers, "handle_inbound", record)
    return seen


@pytest.mark.django_db
def test_messages_are_handled_in_meta_timestamp_order(recorder, run_after_commit):
    run_after_commit(
        ingest,
        None,
        batch(("1", "w2", 200, "second"), ("1", "w1", 100, "first"), ("1", "w3", 300, "third")),
    )
    assert recorder == ["first", "second", "third"]


@pytest.mark.django_db
def test_a_held_contact_is_left_to_its_holder(recorder):
    ingest(None, batch(("1", "w1", 100, "hi")))
    contact = Contact.objects.get()
    token = processing._claim(contact.pk)
    assert token is not None
    assert processing.process_contact(contact.pk) == 0  # someone else holds it
    assert recorder == []
    processing._release(contact.pk, token)
    assert processing.process_contact(contact.pk) == 1
    assert recorder == ["hi"]


@pytest.mark.django_db
def test_a_dead_workers_lease_expires(recorder, run_after_commit):
    ingest(None, batch(("1", "w1", 100, "hi")))
    contact = Contact.objects.get()
    Contact.objects.filter(pk=contact.pk).update(
        processing_token="dead", processing_until=timezone.now() - timedelta(seconds=1)
    )
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    run_after_commit(tasks.sweep)
    assert recorder == ["hi"]
    contact.refresh_from_db()
    assert contact.processing_until is None


@pytest.mark.django_db
def test_the_sweeper_leaves_fresh_and_held_messages_alone(recorder):
    ingest(None, batch(("1", "w1", 100, "fresh")))
    assert processing.sweep_inbox(grace_seconds=30) == 0
    Contact.objects.update(
        processing_token="live", processing_until=timezone.now() + timedelta(minutes=1)
    )
    assert processing.sweep_inbox(grace_seconds=0) == 0


@pytest.mark.django_db(transaction=True)
def test_one_contact_is_never_processed_concurrently(monkeypatch):
    """Real threads: many tasks for two contacts at once; each contact's handler never overlaps
    with itself, every message is handled exactly once, in order."""
    active: dict[str, int] = {}
    overlaps: list[str] = []
    handled: list[tuple[str, str]] = []
    lock = threading.Lock()

    def slow(message):
        wa_id = message.contact.wa_id
        with lock:
            active[wa_id] = active.get(wa_id, 0) + 1
            if active[wa_id] > 1:
                overlaps.append(wa_id)
        time.sleep(0.02)
        with lock:
            active[wa_id] -= 1
            handled.append((wa_id, message.text))

    monkeypatch.setattr(handlers, "handle_inbound", slow)
    monkeypatch.setattr(
        "messaging.channel.jobs.enqueue", lambda *a, **k: None
    )  # we run the tasks here
    messages = [
        (wa, f"{wa}-{i}", 1000 + i, f"{wa}:{i:02d}") for i in range(12) for wa in ("111", "222")
    ]
    ingest(None, batch(*messages))
    contact_ids = list(Contact.objects.values_list("pk", flat=True))
    errors: list[BaseException] = []

    def worker(contact_id: int) -> None:
        try:
            processing.process_contact(contact_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(cid,)) for cid in contact_ids * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert overlaps == []
    assert len(handled) == 24
    for wa in ("111", "222"):
        texts = [text for who, text in handled if who == wa]
        assert texts == sorted(texts)
        assert len(texts) == 12
    assert InboundMessage.objects.filter(status="processed").count() == 24


@pytest.mark.django_db
def test_the_task_sends_the_replies_itself(fake_graph, django_capture_on_commit_callbacks):
    """One task per inbound message: it handles it, then sends the replies it queued (the
    outbox rows committed first); no second task is enqueued for them."""
    ingest(None, batch(("5215512345678", "w1", 100, "hola")))
    contact = Contact.objects.get()
    with django_capture_on_commit_callbacks() as callbacks:
        assert processing.process_contact(contact.pk) == 1
    assert [c for c in callbacks if "send_contact_outbox" in repr(getattr(c, "key", ""))] == []
    sent = contact.outbound_messages.values_list("kind", "status")
    assert sorted(sent) == [("read", "sent"), ("text", "sent")]
    assert len(fake_graph.message_requests()) == 2


# --- a bot turn's query count ------------------------------------------------------------------
# The real bot (not the echo handler): a contact who already said hello asks for the menu again.
# One of them looks for prize claims the buyer was never told about (claim_notice.tell_pending).
BOT_TURN_QUERIES = 17


@pytest.mark.django_db
def test_a_bot_turn_runs_a_known_number_of_queries(monkeypatch, django_assert_num_queries):
    from raffles.tests.factories import make_raffle

    monkeypatch.setattr(handlers, "handle_inbound", REAL_HANDLER)
    make_raffle(size=10)
    ingest(None, batch(("5215512345678", "w1", 100, "hola"), ("5215512345678", "w2", 101, "hola")))
    first, second = InboundMessage.objects.order_by("timestamp")
    assert processing.handle_message(first)
    replies = OutboundMessage.objects.filter(contact_id=second.contact_id).count()
    with django_assert_num_queries(BOT_TURN_QUERIES):
        assert processing.handle_message(second)
    assert OutboundMessage.objects.filter(contact_id=second.contact_id).count() > replies
