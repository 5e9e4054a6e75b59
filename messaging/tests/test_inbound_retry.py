"""Inbound retries: a transient database error leaves the message pending with backoff (no
apology); only a deterministically broken message is parked as failed, with the apology.

The faults are real (see faults.py): SQLite's write lock held by another connection, or the
worker's PostgreSQL backend terminated while the handler runs. Time is a clock the tests
advance, never a sleep.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from messaging.bot import handlers
from messaging.channel import jobs, processing
from messaging.channel.inbound import ingest
from messaging.models import Contact, InboundMessage, OutboundMessage
from messaging.testing.echo import echo_inbound
from messaging.tests.faults import Fault
from messaging.tests.test_processing import batch

pytestmark = [
    pytest.mark.usefixtures("echo_handler"),
    pytest.mark.django_db(transaction=True),  # the faults need real transactions
]
Status = InboundMessage.Status


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """messaging.channel.clock, advanced by the test; a task's wait for a retry advances it too."""
    from messaging.channel import clock

    clock.reset()
    monkeypatch.setattr(processing, "sleep", clock.advance)
    try:
        yield clock
    finally:
        clock.reset()


@pytest.fixture
def db_fault(monkeypatch: pytest.MonkeyPatch) -> Fault:
    """A real database fault while chosen messages are handled (see faults.py)."""
    return Fault(monkeypatch)


@pytest.fixture
def slow_retries(settings) -> None:
    """Backoff longer than a task waits in place: a retry is the sweeper's job."""
    settings.WHATSAPP_INBOUND_RETRY_BASE_SECONDS = 600
    settings.WHATSAPP_INBOUND_RETRY_MAX_SECONDS = 3600


def store(*messages: tuple[str, str, int, str]) -> None:
    """Store a delivery without running its tasks: each test runs them itself."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs, "enqueue", lambda *args: None)
        ingest(None, batch(*messages))


def apologies() -> list[str]:
    bodies = [
        (row.get("text") or {}).get("body", "")
        for row in OutboundMessage.objects.filter(kind="text").values_list("payload", flat=True)
    ]
    return [body for body in bodies if body.startswith("Sorry")]


def acknowledged() -> int:
    return (
        OutboundMessage.objects.filter(kind="text")
        .exclude(payload__text__body__startswith="Sorry")
        .count()
    )


def message(text: str) -> InboundMessage:
    return InboundMessage.objects.get(text=text)


def contact_of(wa_id: str) -> int:
    return Contact.objects.get(wa_id=wa_id).pk


# --- defect 4 ----------------------------------------------------------------------------------
def test_a_brief_database_error_leaves_the_message_pending_without_an_apology(
    db_fault, clock, slow_retries
):
    store(("5215512345678", "w1", 100, "hola"))
    db_fault.arm("hola")
    processing.process_contact(contact_of("5215512345678"))
    assert db_fault.met == ["hola"]
    row = message("hola")
    assert row.status == Status.RECEIVED
    assert row.attempts == 1
    assert timedelta(seconds=590) < row.next_attempt_at - clock.now() <= timedelta(seconds=600)
    assert row.error  # the last error, for staff
    assert apologies() == []
    # Not due yet: the sweeper leaves it; once due, the sweeper has it handled.
    assert processing.sweep_inbox(grace_seconds=0) == 0
    clock.advance(601)
    assert processing.sweep_inbox(grace_seconds=0) == 1  # tasks run synchronously in tests
    row.refresh_from_db()
    assert row.status == Status.PROCESSED
    assert acknowledged() == 1
    assert apologies() == []


def test_the_task_retries_a_short_backoff_itself(db_fault, clock, settings):
    settings.WHATSAPP_INBOUND_RETRY_BASE_SECONDS = 1
    store(("5215512345678", "w1", 100, "hola"))
    db_fault.arm("hola", times=2)
    assert processing.process_contact(contact_of("5215512345678")) == 1
    assert db_fault.met == ["hola", "hola"]
    row = message("hola")
    assert (row.status, row.attempts) == (Status.PROCESSED, 2)
    assert acknowledged() == 1
    assert apologies() == []


def test_transient_errors_past_the_limit_park_the_message(db_fault, clock, settings):
    settings.WHATSAPP_INBOUND_RETRY_BASE_SECONDS = 1
    settings.WHATSAPP_INBOUND_MAX_ATTEMPTS = 3
    store(("5215512345678", "w1", 100, "hola"))
    db_fault.arm("hola", times=10)
    processing.process_contact(contact_of("5215512345678"))
    assert db_fault.met == ["hola"] * 3
    row = message("hola")
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert len(apologies()) == 1


def test_a_deterministic_error_is_parked_at_once_with_the_apology(monkeypatch, clock):
    def broken(message):
        raise RuntimeError("bot bug")

    monkeypatch.setattr(handlers, "handle_inbound", broken)
    store(("5215512345678", "w1", 100, "hola"))
    processing.process_contact(contact_of("5215512345678"))
    row = message("hola")
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "bot bug" in row.error
    assert len(apologies()) == 1


# --- ordering ----------------------------------------------------------------------------------
def test_a_message_waiting_for_a_retry_holds_back_its_contact_only(db_fault, clock, slow_retries):
    store(
        ("111", "a1", 100, "a1"), ("222", "b1", 101, "b1"), ("111", "a2", 102, "a2"),
        ("222", "b2", 103, "b2"),
    )  # fmt: skip
    db_fault.arm("a1")
    processing.process_contact(contact_of("111"))
    processing.process_contact(contact_of("222"))
    statuses = dict(InboundMessage.objects.values_list("text", "status"))
    assert statuses == {
        "a1": Status.RECEIVED,  # waiting for its retry
        "a2": Status.RECEIVED,  # held back behind it: a buyer's messages go in order
        "b1": Status.PROCESSED,
        "b2": Status.PROCESSED,
    }
    assert processing.process_contact(contact_of("111")) == 0  # still waiting
    handled: list[str] = []

    def record(message):
        handled.append(message.text)
        echo_inbound(message)

    monkeypatch = db_fault.monkeypatch
    monkeypatch.setattr(handlers, "handle_inbound", record)
    clock.advance(601)
    processing.sweep_inbox(grace_seconds=0)
    assert handled == ["a1", "a2"]
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {Status.PROCESSED}
    assert apologies() == []


def test_a_poison_message_never_blocks_the_messages_beside_it(monkeypatch, clock):
    handled: list[str] = []

    def poison(message):
        if message.text == "poison":
            raise ValueError("cannot read this")
        handled.append(message.text)
        echo_inbound(message)

    monkeypatch.setattr(handlers, "handle_inbound", poison)
    store(
        ("111", "a1", 100, "before"), ("111", "a2", 101, "poison"), ("222", "b1", 101, "other"),
        ("111", "a3", 102, "after"),
    )  # fmt: skip
    processing.process_contact(contact_of("111"))
    processing.process_contact(contact_of("222"))
    assert handled == ["before", "after", "other"]
    assert message("poison").status == Status.FAILED
    assert len(apologies()) == 1
    assert processing.sweep_inbox(grace_seconds=0) == 0  # nothing left pending


# --- which errors are transient ------------------------------------------------------------
def test_a_lock_timeout_is_transient(clock, slow_retries, monkeypatch):
    """PostgreSQL: another transaction holds the buyer's row; the handler's lock_timeout
    expires (55P03)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's; SQLite's busy timeout is tested above")
    store(("5215512345678", "w1", 100, "hola"))
    contact_id = contact_of("5215512345678")
    buyer_id = Contact.objects.get(pk=contact_id).buyer_id
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM raffles_buyer WHERE id = %s FOR UPDATE", [buyer_id])

    def locking(message):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '100ms'")
            cursor.execute(
                "SELECT id FROM raffles_buyer WHERE id = %s FOR UPDATE", [message.contact.buyer_id]
            )
        echo_inbound(message)

    monkeypatch.setattr(handlers, "handle_inbound", locking)
    try:
        processing.process_contact(contact_id)
        row = message("hola")
        assert (row.status, row.attempts) == (Status.RECEIVED, 1)
        assert "lock" in row.error.lower()
        assert apologies() == []
    finally:
        holder.rollback()
        holder.close()
    clock.advance(601)
    processing.sweep_inbox(grace_seconds=0)
    assert message("hola").status == Status.PROCESSED


def test_a_database_error_that_repeats_is_parked_at_once(clock, monkeypatch):
    """A query the database refuses every time (a missing table) is not transient, though
    SQLite reports it as an OperationalError."""
    from django.db import connection

    def missing_table(message):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(handlers, "handle_inbound", missing_table)
    store(("5215512345678", "w1", 100, "hola"))
    processing.process_contact(contact_of("5215512345678"))
    row = message("hola")
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "no_such_table" in row.error
    assert len(apologies()) == 1
