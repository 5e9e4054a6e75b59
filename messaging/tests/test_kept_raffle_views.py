"""The raffles the bot lists are read once a moment per process, not once a message
(WHATSAPP_RAFFLE_VIEW_SECONDS): a launch crowd's "hi" does not count a raffle's sold numbers
each time. What the bot does (a reservation) still reads the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.bot import handlers
from messaging.channel import processing, shapes
from messaging.channel.inbound import ingest
from messaging.models import InboundMessage, OutboundMessage
from messaging.tests.test_processing import REAL_HANDLER
from raffles.models import Order, TicketNumber
from raffles.public import memo


@pytest.fixture
def kept_for_a_minute(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Views kept 60 s, on a clock the test moves (the memos' clock)."""
    settings.WHATSAPP_RAFFLE_VIEW_SECONDS = 60
    monkeypatch.setattr(handlers, "handle_inbound", REAL_HANDLER)
    clock = [1000.0]
    monkeypatch.setattr(memo, "now", lambda: clock[0])
    memo.forget_all()
    yield clock
    memo.forget_all()


def say(wa_id: str, text: str, n: int) -> tuple[InboundMessage, list[str]]:
    """One text from `wa_id`, handled; the SQL it ran and the message."""
    message = {"from": wa_id, "id": f"wamid.kept{n}", "timestamp": str(100 + n), "type": "text"}
    message["text"] = {"body": text}
    ingest(None, shapes.delivery({"messaging_product": "whatsapp", "messages": [message]}))
    stored = InboundMessage.objects.get(wa_message_id=f"wamid.kept{n}")
    with CaptureQueriesContext(connection) as captured:
        assert processing.handle_message(stored)
    return stored, [q["sql"] for q in captured.captured_queries]


def last_text(message: InboundMessage) -> str:
    replies = OutboundMessage.objects.filter(contact_id=message.contact_id).exclude(kind="read")
    return str(replies.order_by("-id").values_list("payload", flat=True)[:3])


def raffle_reads(sql: list[str]) -> int:
    return sum('FROM "raffles_raffle"' in s or 'FROM "raffles_ticketnumber"' in s for s in sql)


@pytest.mark.django_db
def test_new_senders_within_the_time_share_one_read_of_the_raffles(kept_for_a_minute):
    from raffles.tests.factories import make_raffle

    raffle = make_raffle(size=100, title="Kept Cow")
    first, first_sql = say("5215500000001", "hi", 1)
    assert raffle_reads(first_sql) >= 2  # the list and its numbers left
    assert "Kept Cow" in last_text(first)

    raffle.title = "Renamed Cow"
    raffle.save(update_fields=["title"])
    second, second_sql = say("5215500000002", "hi", 2)
    assert raffle_reads(second_sql) == 0
    assert "Kept Cow" in last_text(second)  # what was read a moment ago

    kept_for_a_minute[0] += 61
    third, third_sql = say("5215500000003", "hi", 3)
    assert raffle_reads(third_sql) >= 2
    assert "Renamed Cow" in last_text(third)


@pytest.mark.django_db
def test_a_kept_view_never_decides_a_reservation(kept_for_a_minute):
    from raffles.tests.factories import make_raffle

    raffle = make_raffle(size=10)
    say("5215500000001", "hi", 1)  # the raffle is kept with 10 numbers left
    TicketNumber.objects.filter(raffle=raffle, number=5).update(
        status=TicketNumber.Status.BLOCKED  # taken off sale meanwhile
    )
    say("5215500000001", "5", 2)
    assert TicketNumber.objects.get(raffle=raffle, number=5).status == TicketNumber.Status.BLOCKED
    assert not Order.objects.exists()
    say("5215500000001", "6", 3)
    order = Order.objects.get()
    assert TicketNumber.objects.get(reserved_by_order=order).number == 6


@pytest.mark.django_db
def test_zero_seconds_reads_every_time(settings, monkeypatch):
    from raffles.tests.factories import make_raffle

    settings.WHATSAPP_RAFFLE_VIEW_SECONDS = 0
    monkeypatch.setattr(handlers, "handle_inbound", REAL_HANDLER)
    make_raffle(size=10)
    _first, first_sql = say("5215500000001", "hi", 1)
    _second, second_sql = say("5215500000002", "hi", 2)
    assert raffle_reads(second_sql) == raffle_reads(first_sql) >= 2
