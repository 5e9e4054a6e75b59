"""Each rule of `raffles.rules` says the same thing in every form it takes: the queryset, the
instance method, and (for "claimable") the SQL fragment hand-written statements use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from raffles import rules, services
from raffles.models import Buyer, Order, Raffle, TicketNumber

pytestmark = pytest.mark.django_db


def _tickets_in_every_state(raffle: Raffle, buyer: Buyer) -> None:
    """Free, sold, held (running), held past its time, held without an end."""
    now = timezone.now()
    order = services.reserve_specific(raffle.pk, [1, 2, 3, 4], buyer)
    tickets = TicketNumber.objects.filter(raffle=raffle)
    tickets.filter(number=1).update(status=TicketNumber.Status.SOLD)
    tickets.filter(number=2).update(reserved_until=now + timedelta(minutes=5))
    tickets.filter(number=3).update(reserved_until=now - timedelta(minutes=5))
    tickets.filter(number=4).update(reserved_until=None)
    assert order.pk


def test_claimable_sql_fragment_selects_what_the_queryset_selects(
    raffle: Raffle, buyer: Buyer
) -> None:
    _tickets_in_every_state(raffle, buyer)
    now = timezone.now()
    table = TicketNumber._meta.db_table
    condition = rules.CLAIMABLE_SQL.format(now="%s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number FROM {table} WHERE raffle_id = %s AND {condition}",  # noqa: S608
            [raffle.pk, now],
        )
        by_sql = sorted(row[0] for row in cursor.fetchall())
    tickets = TicketNumber.objects.filter(raffle=raffle)
    by_queryset = sorted(tickets.claimable(now).values_list("number", flat=True))
    by_method = sorted(t.number for t in tickets if t.is_claimable(now))
    assert by_sql == by_queryset == by_method
    assert {1, 2, 4}.isdisjoint(by_sql)
    assert {0, 3} <= set(by_sql)


def test_waiting_payment_sql_fragment_selects_what_the_queryset_selects(
    raffle: Raffle, buyer: Buyer
) -> None:
    for status in Order.Status.values:
        order = services.reserve_specific(raffle.pk, [7], buyer)
        Order.objects.filter(pk=order.pk).update(status=status)
        TicketNumber.objects.filter(raffle=raffle).update(
            status=TicketNumber.Status.AVAILABLE, reserved_by_order=None, reserved_until=None
        )
    table = Order._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE buyer_id = %s AND {rules.WAITING_PAYMENT_SQL}",  # noqa: S608
            [buyer.pk],
        )
        by_sql = sorted(row[0] for row in cursor.fetchall())
    orders = Order.objects.filter(buyer=buyer)
    by_queryset = sorted(orders.waiting_payment().values_list("pk", flat=True))
    by_method = sorted(o.pk for o in orders if o.is_waiting_payment)
    assert by_sql == by_queryset == by_method
    assert len(by_sql) == 1
    assert orders.count() == len(Order.Status.values)


def test_effective_status_of_numbers_matches_the_filter(raffle: Raffle, buyer: Buyer) -> None:
    _tickets_in_every_state(raffle, buyer)
    now = timezone.now()
    tickets = list(TicketNumber.objects.filter(raffle=raffle))
    for status in TicketNumber.Status.values:
        filtered = TicketNumber.objects.filter(raffle=raffle).showing_as(status, now)
        expected = sorted(t.number for t in tickets if t.effective_status(now) == status)
        assert sorted(filtered.values_list("number", flat=True)) == expected
    lapsed = {t.number for t in tickets if t.is_lapsed(now)}
    assert lapsed == {3}
    assert (
        set(TicketNumber.objects.filter(raffle=raffle).lapsed(now).values_list("number", flat=True))
        == lapsed
    )


def _orders_in_every_state(raffle: Raffle, buyer: Buyer) -> dict[str, Order]:
    now = timezone.now()
    made = {}
    for i, name in enumerate(
        ["running", "ran_out", "open_ended", "no_end", "paid", "cancelled", "expired"]
    ):
        made[name] = services.reserve_specific(raffle.pk, [10 + i], buyer)
    Order.objects.filter(pk=made["running"].pk).update(expires_at=now + timedelta(minutes=5))
    Order.objects.filter(pk=made["ran_out"].pk).update(expires_at=now - timedelta(minutes=5))
    Order.objects.filter(pk=made["open_ended"].pk).update(
        expires_at=now - timedelta(minutes=5), proof_received_at=now
    )
    Order.objects.filter(pk=made["no_end"].pk).update(expires_at=None)
    for name, status in (
        ("paid", Order.Status.PAID),
        ("cancelled", Order.Status.CANCELLED),
        ("expired", Order.Status.EXPIRED),
    ):
        Order.objects.filter(pk=made[name].pk).update(status=status)
    return {name: Order.objects.get(pk=order.pk) for name, order in made.items()}


def test_order_rules_agree_between_queryset_and_instance(raffle: Raffle, buyer: Buyer) -> None:
    orders = _orders_in_every_state(raffle, buyer)
    now = timezone.now()
    mine = Order.objects.filter(buyer=buyer)

    def names(qs: object) -> set[str]:
        pks = set(qs.values_list("pk", flat=True))  # type: ignore[attr-defined]
        return {name for name, order in orders.items() if order.pk in pks}

    holding = {name for name, order in orders.items() if order.is_holding(now)}
    assert holding == {"running", "open_ended", "no_end"}
    assert names(mine.holding(now)) == holding
    ran_out = {name for name, order in orders.items() if order.hold_ran_out(now)}
    assert ran_out == {"ran_out"}
    assert names(mine.hold_ran_out(now)) == ran_out
    accepting = {name for name, order in orders.items() if order.accepts_proof}
    assert names(mine.accepting_proof()) == accepting
    assert accepting == {"running", "ran_out", "open_ended", "no_end", "expired"}
    assert names(mine.live()) == {name for name, order in orders.items() if order.is_live}
    assert names(mine.taking_numbers(now)) == holding | {"paid"}
    assert orders["ran_out"].effective_status(now) == Order.Status.EXPIRED
    assert orders["running"].effective_status(now) == Order.Status.PENDING_PAYMENT
    assert orders["open_ended"].hold_is_open_ended
    assert {name for name, order in orders.items() if order.is_final} == {"paid", "cancelled"}


def test_the_reservation_stores_use_the_rules_sql_and_audit_columns() -> None:
    """The hand-written reservation SQL takes "claimable" and the audit row's columns from
    their one home, so the two writers cannot drift apart."""
    from raffles import audit, rules
    from raffles.services.reservations import columns

    assert columns.CLAIMABLE == rules.CLAIMABLE_SQL
    assert columns.EVENT_FIELDS == audit.EVENT_FIELDS
