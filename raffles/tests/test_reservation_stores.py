"""The reservation stores' plain SQL stores and reads exactly what the ORM would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.db import writelock
from raffles import services, signals
from raffles.exceptions import RaffleNotActive
from raffles.models import (
    ORDER_CODE_ALPHABET,
    ORDER_CODE_LENGTH,
    Order,
    OrderEvent,
    OrderTicket,
    Raffle,
    TicketNumber,
    new_order_code,
)
from raffles.services.reservations.store import ClaimResult, Hold, TransactionStateError
from raffles.services.reservations.stores import store_for
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def test_load_raffle_builds_the_same_instance_as_the_orm(raffle):
    Raffle.objects.filter(pk=raffle.pk).update(
        sales_close_at=timezone.now() + timedelta(days=3), ticket_price=Decimal("12.50")
    )
    fast, _ = store_for().load_raffle(raffle.pk)
    slow = Raffle.objects.get(pk=raffle.pk)
    assert fast is not None
    for field in Raffle._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.name
    assert isinstance(fast.ticket_price, Decimal)
    assert fast._state.adding is False


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


def _hold(raffle, buyer, numbers, code="TESTCODE"):
    now = timezone.now()
    until = now + timedelta(minutes=5)
    return Hold(
        raffle_id=raffle.pk,
        buyer_id=buyer.pk,
        numbers=numbers,
        total=raffle.ticket_price * len(numbers),
        list_amount=raffle.ticket_price * len(numbers),
        code=code,
        now=now,
        until=until,
        kind="reserved",
        actor_type="buyer",
        actor_user_id=None,
        actor_label=buyer.phone,
    )


def _write(hold, terms):
    """As the service does: PostgreSQL alone, SQLite in a transaction it rolls back unless
    the order was written."""
    with transaction.atomic():
        claim = store_for().claim(hold, terms)
        if claim.result is not ClaimResult.RESERVED:
            transaction.set_rollback(True)
    return claim


def test_load_raffle_reads_the_terms_with_the_raffle(raffle):
    loaded, terms = store_for().load_raffle(raffle.pk)
    assert loaded.pk == raffle.pk
    assert loaded.public_id == raffle.public_id
    assert store_for().load_raffle(raffle.pk)[1] == terms  # unchanged raffle, same terms
    Raffle.objects.filter(pk=raffle.pk).update(max_tickets_per_buyer=3)
    assert store_for().load_raffle(raffle.pk)[1] != terms
    assert store_for().load_raffle(raffle.pk + 1000) is None


def test_a_taken_order_code_writes_nothing_and_says_so(raffle, buyer):
    first = services.reserve_specific(raffle.pk, [1], buyer)
    _, terms = store_for().load_raffle(raffle.pk)
    outcome = _write(_hold(raffle, buyer, [2], code=first.code), terms)
    assert outcome.result is ClaimResult.CODE_TAKEN
    assert outcome.order_id is None
    assert TicketNumber.objects.get(raffle=raffle, number=2).status == "AVAILABLE"
    assert Order.objects.count() == 1


def test_a_whole_claim_records_the_order_its_numbers_and_its_event(raffle, buyer):
    _, terms = store_for().load_raffle(raffle.pk)
    hold = _hold(raffle, buyer, [4, 5])
    outcome = _write(hold, terms)
    assert outcome.result is ClaimResult.RESERVED
    order = Order.objects.get(pk=outcome.order_id)
    assert (order.code, order.qty, order.total_amount) == ("TESTCODE", 2, hold.total)
    assert order.expires_at == hold.until
    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.raffle_id, event.actor_label) == ("reserved", raffle.pk, buyer.phone)
    assert event.details == {"numbers": [4, 5], "expires_at": str(hold.until)}
    assert event.created_at == hold.now
    assert list(
        OrderTicket.objects.filter(order=order).order_by("id").values_list("number", flat=True)
    ) == [4, 5]
    held = TicketNumber.objects.filter(reserved_by_order=order)
    assert sorted(t.number for t in held) == [4, 5]
    assert {t.reserved_until for t in held} == {hold.until}


def test_a_partial_claim_writes_nothing_and_says_what_was_free(raffle, buyer):
    services.reserve_specific(raffle.pk, [5], buyer)
    _, terms = store_for().load_raffle(raffle.pk)
    outcome = _write(_hold(raffle, buyer, [4, 5, 6]), terms)
    assert outcome.result is ClaimResult.TAKEN
    assert outcome.order_id is None
    assert outcome.claimable == (4, 6)
    assert Order.objects.count() == 1
    assert not OrderTicket.objects.exclude(number=5).exists()
    assert TicketNumber.objects.filter(raffle=raffle, status="RESERVED").count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": "closed"},
        {"ticket_price": Decimal("99.00")},
        {"max_tickets_per_order": 2},
        {"sales_close_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_changed_terms_write_nothing(raffle, buyer, change):
    _, terms = store_for().load_raffle(raffle.pk)
    Raffle.objects.filter(pk=raffle.pk).update(**change)
    outcome = _write(_hold(raffle, buyer, [4]), terms)
    assert outcome.result is ClaimResult.STALE_TERMS
    assert outcome.order_id is None
    assert not Order.objects.exists()
    assert TicketNumber.objects.get(raffle=raffle, number=4).status == "AVAILABLE"


def test_probe_finds_the_next_free_number_or_none(raffle, buyer):
    services.reserve_specific(raffle.pk, [10, 11], buyer)
    found = store_for().probe(raffle.pk, [10, raffle.max_number + 1, raffle.min_number])
    assert sorted(found, key=lambda n: -1 if n is None else n) == [None, raffle.min_number, 12]


# Outside any transaction (as a web request or worker calls the services), SQLite's hot path
# opens, commits or rolls back its own write transaction on the driver.


@pytest.mark.django_db(transaction=True)
def test_alone_a_whole_claim_commits_and_frees_the_write_queue():
    raffle, buyer = make_raffle(size=20), BuyerFactory()
    _, terms = store_for().load_raffle(raffle.pk)
    assert not connection.in_atomic_block
    outcome = store_for().claim_alone(_hold(raffle, buyer, [3, 4]), terms)
    assert outcome.order_id is not None
    assert not writelock.held()
    assert sorted(OrderTicket.objects.values_list("number", flat=True)) == [3, 4]
    assert OrderEvent.objects.filter(order_id=outcome.order_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_alone_a_refused_claim_rolls_everything_back():
    raffle, buyer = make_raffle(size=20), BuyerFactory()
    services.reserve_specific(raffle.pk, [4], buyer)
    _, terms = store_for().load_raffle(raffle.pk)
    outcome = store_for().claim_alone(_hold(raffle, buyer, [3, 4]), terms)
    assert outcome.order_id is None
    assert outcome.claimable == (3,)
    assert not writelock.held()
    assert Order.objects.count() == 1
    assert TicketNumber.objects.get(raffle=raffle, number=3).status == "AVAILABLE"
    Raffle.objects.filter(pk=raffle.pk).update(status="closed")
    stale = store_for().claim_alone(_hold(raffle, buyer, [5], code="OTHER1"), terms)
    assert stale.result is ClaimResult.STALE_TERMS
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_claim_refuses_to_run_outside_a_transaction():
    raffle, buyer = make_raffle(size=20), BuyerFactory()
    _, terms = store_for().load_raffle(raffle.pk)
    assert not connection.in_atomic_block
    with pytest.raises(TransactionStateError):
        store_for().claim(_hold(raffle, buyer, [3]), terms)
    assert not Order.objects.exists()
    assert not writelock.held()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite opens its own transaction")
def test_alone_refuses_to_run_inside_an_open_transaction(raffle, buyer):
    _, terms = store_for().load_raffle(raffle.pk)
    with transaction.atomic(), pytest.raises(TransactionStateError):
        store_for().claim_alone(_hold(raffle, buyer, [3]), terms)


def test_the_store_s_statements_are_counted_like_any_query(raffle, buyer):
    """Every statement goes through Django's cursor: query logging and counting see it."""
    with CaptureQueriesContext(connection) as captured:
        _, terms = store_for().load_raffle(raffle.pk)
        _write(_hold(raffle, buyer, [4, 5]), terms)
    statements = [q["sql"] for q in captured]
    assert any(raffle.title not in s and "FROM raffles_raffle" in s for s in statements)
    assert any("INSERT INTO raffles_order" in s for s in statements)


@pytest.mark.django_db(transaction=True)
def test_a_failing_order_reserved_receiver_does_not_undo_or_fail_the_reservation():
    raffle, buyer = make_raffle(size=20), BuyerFactory()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("receiver broke")

    signals.order_reserved.connect(broken, dispatch_uid="test-broken")
    try:
        order = services.reserve_specific(raffle.pk, [7], buyer)
    finally:
        signals.order_reserved.disconnect(dispatch_uid="test-broken")
    assert Order.objects.get(pk=order.pk).qty == 1
    assert TicketNumber.objects.get(raffle=raffle, number=7).reserved_by_order_id == order.pk


def test_a_changed_raffle_is_read_again_before_it_is_sold_from(raffle, buyer):
    services.reserve_specific(raffle.pk, [1], buyer)  # the raffle is now known in memory
    Raffle.objects.filter(pk=raffle.pk).update(ticket_price=Decimal("7.00"))
    order = services.reserve_specific(raffle.pk, [2], buyer)
    assert order.total_amount == Decimal("7.00")
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("7.00")
    Raffle.objects.filter(pk=raffle.pk).update(status="closed")
    with pytest.raises(RaffleNotActive):
        services.reserve_specific(raffle.pk, [3], buyer)


def test_order_codes_use_the_whole_alphabet_evenly():
    # new_order_code maps a random byte's low 5 bits to a letter: that is uniform only
    # because the alphabet has exactly 32 letters.
    assert len(ORDER_CODE_ALPHABET) == len(set(ORDER_CODE_ALPHABET)) == 32
    codes = [new_order_code() for _ in range(2000)]
    assert all(len(c) == ORDER_CODE_LENGTH and set(c) <= set(ORDER_CODE_ALPHABET) for c in codes)
    assert set("".join(codes)) == set(ORDER_CODE_ALPHABET)
