"""The reservation hot path's plain SQL stores and reads exactly what the ORM would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from raffles import services
from raffles.models import Order, OrderEvent, OrderTicket, Raffle, TicketNumber
from raffles.services import sql

pytestmark = pytest.mark.django_db


def test_get_builds_the_same_instance_as_the_orm(raffle):
    Raffle.objects.filter(pk=raffle.pk).update(
        sales_close_at=timezone.now() + timedelta(days=3), ticket_price=Decimal("12.50")
    )
    fast = sql.get(Raffle, raffle.pk)
    slow = Raffle.objects.get(pk=raffle.pk)
    assert fast is not None
    for field in Raffle._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.name
    assert isinstance(fast.ticket_price, Decimal)
    assert fast._state.adding is False
    assert sql.get(Raffle, raffle.pk + 1000) is None


def test_a_reservation_is_stored_as_the_orm_reads_it(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [7, 3], buyer)
    stored = Order.objects.get(pk=order.pk)
    for field in Order._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(order, field.attname), field.name
    assert stored.total_amount == raffle.ticket_price * 2
    assert sorted(OrderTicket.objects.filter(order=order).values_list("number", flat=True)) == [
        3,
        7,
    ]
    event = OrderEvent.objects.get(order=order)
    assert event.kind == "reserved"
    assert event.raffle_id == raffle.pk
    assert event.details["numbers"] == [3, 7]
    assert event.actor_type == OrderEvent.Actor.BUYER
    held = TicketNumber.objects.filter(reserved_by_order=order)
    assert {t.reserved_until for t in held} == {stored.expires_at}


def test_a_taken_order_code_writes_nothing_and_says_so(raffle, buyer):
    first = services.reserve_specific(raffle.pk, [1], buyer)
    now = timezone.now()
    clash = Order(
        raffle=raffle,
        buyer=buyer,
        qty=1,
        total_amount=raffle.ticket_price,
        code=first.code,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(minutes=5),
    )
    assert sql.insert_and_claim(clash, [2], now) is None
    assert clash.pk is None
    assert TicketNumber.objects.get(raffle=raffle, number=2).status == "AVAILABLE"
    assert Order.objects.count() == 1


def _unsaved(raffle, buyer, qty):
    now = timezone.now()
    order = Order(
        raffle=raffle,
        buyer=buyer,
        qty=qty,
        total_amount=raffle.ticket_price * qty,
        status=Order.Status.PENDING_PAYMENT,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(minutes=5),
    )
    event = OrderEvent(kind="reserved", raffle_id=raffle.pk, actor_type="buyer", created_at=now)
    event.details = {"numbers": [4, 5], "expires_at": str(order.expires_at)}
    return order, event, now


def test_a_whole_claim_records_numbers_and_event_in_the_same_statement_on_postgresql(raffle, buyer):
    order, event, now = _unsaved(raffle, buyer, 2)
    assert sorted(sql.insert_and_claim(order, [4, 5], now, event)) == [4, 5]
    if connection.vendor != "postgresql":
        assert event.pk is None  # SQLite: the caller records them (`record`)
        return
    stored = OrderEvent.objects.get(pk=event.pk)
    assert stored.order_id == order.pk
    assert event.order_id == order.pk
    assert stored.details == event.details
    assert stored.kind == "reserved"
    assert list(
        OrderTicket.objects.filter(order=order).order_by("id").values_list("number", flat=True)
    ) == [4, 5]


def test_a_partial_claim_records_neither_numbers_nor_event(raffle, buyer):
    services.reserve_specific(raffle.pk, [5], buyer)
    order, event, now = _unsaved(raffle, buyer, 2)
    assert sql.insert_and_claim(order, [4, 5], now, event) == [4]
    assert event.pk is None
    assert not OrderTicket.objects.filter(order=order).exists()
    assert not OrderEvent.objects.filter(order=order).exists()


def test_probe_finds_the_next_free_number_or_none(raffle, buyer):
    services.reserve_specific(raffle.pk, [10, 11], buyer)
    found = sql.probe(raffle.pk, [10, raffle.max_number + 1, raffle.min_number])
    assert sorted(found, key=lambda n: -1 if n is None else n) == [None, raffle.min_number, 12]
