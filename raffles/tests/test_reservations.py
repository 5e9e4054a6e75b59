from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from raffles import services
from raffles.exceptions import (
    BuyerLimitExceeded,
    DuplicateNumbers,
    NotEnoughNumbers,
    NumbersOutOfRange,
    NumbersTaken,
    QuantityOutOfBounds,
    RaffleNotActive,
    RaffleNotFound,
)
from raffles.models import Order, OrderEvent, TicketNumber
from raffles.services.reservations import remaining_count
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def statuses(raffle, numbers):
    return dict(
        TicketNumber.objects.filter(raffle=raffle, number__in=numbers).values_list(
            "number", "status"
        )
    )


def test_reserve_specific_holds_numbers(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [5, 12, 99], buyer)
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.qty == 3
    assert order.total_amount == raffle.ticket_price * 3
    assert order.numbers() == [5, 12, 99]
    assert set(statuses(raffle, [5, 12, 99]).values()) == {"RESERVED"}
    assert order.expires_at == order.created_at + timedelta(minutes=raffle.reservation_minutes)
    assert OrderEvent.objects.filter(order=order, kind="reserved").count() == 1
    assert len(order.code) == 6


def test_taken_numbers_reserve_nothing_and_say_which(raffle, buyer, other_buyer):
    services.reserve_specific(raffle.pk, [12], other_buyer)
    with pytest.raises(NumbersTaken) as err:
        services.reserve_specific(raffle.pk, [5, 12, 99], buyer)
    assert err.value.taken == [12]
    assert err.value.alternatives[:2] == [11, 13]
    assert statuses(raffle, [5, 99]) == {5: "AVAILABLE", 99: "AVAILABLE"}
    assert not Order.objects.filter(buyer=buyer).exists()


@pytest.mark.parametrize(
    ("numbers", "error"),
    [([5, 5], DuplicateNumbers), ([100], NumbersOutOfRange), ([], QuantityOutOfBounds)],
)
def test_invalid_numbers(raffle, buyer, numbers, error):
    with pytest.raises(error):
        services.reserve_specific(raffle.pk, numbers, buyer)


def test_over_per_order_limit(buyer, db):
    raffle = make_raffle(size=100, max_tickets_per_order=3)
    with pytest.raises(QuantityOutOfBounds) as err:
        services.reserve_specific(raffle.pk, [1, 2, 3, 4], buyer)
    assert err.value.maximum == 3


def test_buyer_limit(buyer, db):
    raffle = make_raffle(size=100, max_tickets_per_buyer=3)
    services.reserve_specific(raffle.pk, [1, 2], buyer)
    with pytest.raises(BuyerLimitExceeded) as err:
        services.reserve_random(raffle.pk, 2, buyer)
    assert err.value.remaining == 1


def test_inactive_and_missing_raffle(buyer, db):
    draft = make_raffle(active=False)
    with pytest.raises(RaffleNotActive):
        services.reserve_specific(draft.pk, [1], buyer)
    with pytest.raises(RaffleNotFound):
        services.reserve_random(999_999, 1, buyer)


def test_sales_closed_by_date(buyer, db):
    raffle = make_raffle(sales_close_at=timezone.now() + timedelta(seconds=1))
    raffle.sales_close_at = timezone.now() - timedelta(seconds=1)
    raffle.save()
    with pytest.raises(RaffleNotActive):
        services.reserve_random(raffle.pk, 1, buyer)


def test_reserve_random_exact_qty(raffle, buyer):
    order = services.reserve_random(raffle.pk, 5, buyer)
    assert len(order.numbers()) == 5
    assert len(set(order.numbers())) == 5
    assert TicketNumber.objects.filter(reserved_by_order=order).count() == 5


def test_reserve_random_takes_the_last_numbers(buyer, other_buyer, db):
    raffle = make_raffle(size=10, max_tickets_per_order=10)
    services.reserve_specific(raffle.pk, list(range(7)), other_buyer)
    with pytest.raises(NotEnoughNumbers) as err:
        services.reserve_random(raffle.pk, 4, buyer)
    assert err.value.remaining == 3
    order = services.reserve_random(raffle.pk, 3, buyer)
    assert order.numbers() == [7, 8, 9]


def test_expired_hold_never_blocks_before_the_job_runs(raffle, buyer, other_buyer):
    first = services.reserve_specific(raffle.pk, [7], other_buyer)
    TicketNumber.objects.filter(reserved_by_order=first).update(
        reserved_until=timezone.now() - timedelta(seconds=1)
    )
    second = services.reserve_specific(raffle.pk, [7], buyer)
    assert TicketNumber.objects.get(raffle=raffle, number=7).reserved_by_order == second


def test_expire_reservations_exactly_once(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    later = order.expires_at + timedelta(seconds=1)
    assert services.expire_reservations(later) == 1
    assert services.expire_reservations(later) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert statuses(raffle, [1, 2]) == {1: "AVAILABLE", 2: "AVAILABLE"}
    assert OrderEvent.objects.filter(order=order, kind="expired").count() == 1


def test_expiry_does_not_release_numbers_taken_by_someone_else(raffle, buyer, other_buyer):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    TicketNumber.objects.filter(reserved_by_order=order).update(
        reserved_until=timezone.now() - timedelta(seconds=1)
    )
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    other = services.reserve_specific(raffle.pk, [2], other_buyer)
    services.expire_reservations()
    assert TicketNumber.objects.get(raffle=raffle, number=2).reserved_by_order == other


def test_reminder_sent_once(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [1], buyer)
    soon = order.expires_at - timedelta(minutes=5)
    assert services.send_expiry_reminders(soon) == 1
    assert services.send_expiry_reminders(soon) == 0


def test_release_order_reservations(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [3, 4], buyer)
    assert services.release_order_reservations(order) == 2
    assert statuses(raffle, [3, 4]) == {3: "AVAILABLE", 4: "AVAILABLE"}


def _lapse(*orders: Order) -> None:
    TicketNumber.objects.filter(reserved_by_order__in=orders).update(
        reserved_until=timezone.now() - timedelta(seconds=1)
    )


def test_holds_past_their_time_are_offered_as_alternatives(buyer, other_buyer, db):
    raffle = make_raffle(size=20)
    services.reserve_specific(raffle.pk, list(range(10)), other_buyer)
    lapsed = services.reserve_specific(raffle.pk, [10, 11], other_buyer)
    services.reserve_specific(raffle.pk, list(range(12, 20)), other_buyer)
    _lapse(lapsed)
    with pytest.raises(NumbersTaken) as err:
        services.reserve_specific(raffle.pk, [4], buyer)
    assert err.value.taken == [4]
    assert err.value.alternatives == [10, 11]


def test_reserve_random_falls_back_to_holds_past_their_time(buyer, other_buyer, db):
    raffle = make_raffle(size=10, max_tickets_per_order=10)
    lapsed = services.reserve_specific(raffle.pk, [2, 5], other_buyer)
    services.reserve_specific(raffle.pk, [0, 1, 3, 4, 6, 7, 8, 9], other_buyer)
    _lapse(lapsed)
    assert remaining_count(raffle) == 2
    order = services.reserve_random(raffle.pk, 2, buyer)
    assert order.numbers() == [2, 5]
    with pytest.raises(NotEnoughNumbers) as err:
        services.reserve_random(raffle.pk, 1, buyer)
    assert err.value.remaining == 0


def test_finding_holds_past_their_time_reads_only_those(raffle, buyer):
    """The lookup is a seek on the holds' end times (ticket_hold_ends_idx), not a walk over
    every live hold: with the holds ordered by number, SQLite walked them all, and offering
    alternatives slowed down with every sale (4 ms at 20,000 holds)."""
    from django.db import connection

    from raffles.selectors import lapsed_holds

    services.reserve_specific(raffle.pk, [1, 2], buyer)
    query = lapsed_holds(raffle, timezone.now()).exclude(number__in=[5]).values("number")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is read whole
    assert "ticket_hold_ends_idx" in query.explain()


def test_alternatives_are_found_with_index_seeks_in_one_statement(raffle, buyer):
    """nearest_free's one statement seeks an index for the free numbers and the holds' end
    times for the lapsed ones: it scans nothing. (On a 100-number table PostgreSQL may seek
    (raffle, number) and filter the status; with 1,000,000 it takes (raffle, status, number).)"""
    from django.db import connection

    from raffles.services.reservations.reads import nearby_sql

    services.reserve_specific(raffle.pk, [1, 2], buyer)
    statement = nearby_sql(1)
    params = [raffle.pk, 50, 5, raffle.pk, 50, 5, raffle.pk, timezone.now(), 10]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is read whole
            cursor.execute("EXPLAIN " + statement, params)
        else:
            params[7] = connection.ops.adapt_datetimefield_value(params[7])
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "ticket_status_idx" in plan or "ticket_unique_number" in plan
    assert "ticket_hold_ends_idx" in plan
    assert "Seq Scan" not in plan
    assert "SCAN raffles_ticketnumber" not in plan


# --- query counts on the hot path -----------------------------------------------------------
# The raffle is known (read once) before counting, as it is for every reservation but the
# first. SQLite writes in the test's transaction (a savepoint and four statements); PostgreSQL
# writes a reservation in one statement. The order_reserved receivers are counted too.
RESERVE_QUERIES = {"sqlite": 6, "postgresql": 1}
RESERVE_RANDOM_QUERIES = {"sqlite": 7, "postgresql": 2}  # one read picks, then the claim


def test_reserve_specific_query_count(raffle, buyer, other_buyer, django_assert_num_queries):
    from django.db import connection

    services.reserve_specific(raffle.pk, [1], other_buyer)
    with django_assert_num_queries(RESERVE_QUERIES[connection.vendor]):
        services.reserve_specific(raffle.pk, [7, 3], buyer)


def test_reserve_random_query_count(raffle, buyer, other_buyer, django_assert_num_queries):
    from django.db import connection

    services.reserve_specific(raffle.pk, [1], other_buyer)
    with django_assert_num_queries(RESERVE_RANDOM_QUERIES[connection.vendor]):
        services.reserve_random(raffle.pk, 2, buyer)
