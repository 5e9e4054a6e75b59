"""A statement's exact matches confirmed in batches: statements that do not grow with the
file, the same decisions as one by one (late payments, lines paying several orders, an order
paid twice across a batch boundary), one audit event per order with its line, and two
imports of one file at the same moment confirming each order once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from raffles import services
from raffles.audit import EventKind
from raffles.models import Order, OrderEvent, Raffle, StatementLine, TicketNumber
from raffles.services import statements
from raffles.tests.factories import BuyerFactory, make_raffle


def _orders(raffle: Raffle, count: int) -> list[Order]:
    return [services.reserve_specific(raffle.pk, [n], BuyerFactory()) for n in range(count)]


def _csv(rows: list[tuple[str, str]]) -> bytes:
    lines = ["Fecha;Concepto;Importe", *(f"01/12/2026;{d};{a}" for d, a in rows)]
    return "\n".join(lines).encode()


def _statements_to_import(orders: list[Order]) -> int:
    content = _csv([(f"transferencia {o.code}", "10,00") for o in orders])
    with CaptureQueriesContext(connection) as queries:
        result = services.import_statement(content=content, filename="banco.csv")
    assert result.counts["confirmed"] == len(orders)
    return len(queries)


@pytest.mark.django_db
def test_the_statements_of_an_import_do_not_grow_with_its_lines() -> None:
    raffle = make_raffle(size=200)
    few = _statements_to_import(_orders(raffle, 100)[:5])
    more = _statements_to_import(list(Order.objects.filter(status="PENDING_PAYMENT"))[:60])
    assert more == few
    assert few <= 30


@pytest.mark.django_db
def test_each_confirmed_order_has_its_paid_event_and_the_line_that_caused_it() -> None:
    raffle = make_raffle(size=50)
    orders = _orders(raffle, 12)
    services.import_statement(content=_csv([(f"ref {o.code}", "10,00") for o in orders]))
    for order in orders:
        kinds = list(
            OrderEvent.objects.filter(order=order).values_list("kind", flat=True).order_by("id")
        )
        assert kinds[-2:] == [EventKind.PAID, EventKind.STATEMENT_MATCHED]
        line = OrderEvent.objects.get(order=order, kind=EventKind.STATEMENT_MATCHED).details
        assert line["description"] == f"ref {order.code}"
        assert StatementLine.objects.get(pk=line["statement_line"]).orders.get() == order
    assert TicketNumber.objects.filter(raffle=raffle, status="SOLD").count() == 12


@pytest.mark.django_db
def test_a_late_payment_whose_numbers_are_still_free_is_confirmed() -> None:
    raffle = make_raffle(size=10)
    order, other = _orders(raffle, 2)
    services.cancel_order(order)  # its numbers are free again; the order counts as expired
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)
    content = _csv([(order.code, "10,00"), (other.code, "10,00")])
    result = services.import_statement(content=content)
    assert [r.status for r in result.lines] == ["confirmed", "confirmed"]
    assert OrderEvent.objects.get(order=order, kind=EventKind.PAID).details["late"] is True


@pytest.mark.django_db
def test_a_line_paying_two_orders_confirms_both_or_neither() -> None:
    raffle = make_raffle(size=10)
    one, two = _orders(raffle, 2)
    services.cancel_order(two)
    Order.objects.filter(pk=two.pk).update(status=Order.Status.EXPIRED)
    services.reserve_specific(raffle.pk, [1], BuyerFactory())  # two's number taken
    result = services.import_statement(content=_csv([(f"{one.code} {two.code}", "20,00")]))
    assert (result.lines[0].status, result.lines[0].reason) == ("flagged", "numbers_taken")
    one.refresh_from_db()
    assert one.status == Order.Status.PENDING_PAYMENT
    assert not OrderEvent.objects.filter(kind=EventKind.PAID).exists()
    assert OrderEvent.objects.filter(kind=EventKind.STATEMENT_FLAGGED).count() == 2


@pytest.mark.django_db
def test_an_order_named_again_after_a_batch_boundary_is_already_paid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(statements, "BATCH", 2)
    raffle = make_raffle(size=10)
    a, b, c = _orders(raffle, 3)
    rows = [(a.code, "10,00"), (b.code, "10,00"), (c.code, "10,00"), (f"{a.code} x", "10,00")]
    result = services.import_statement(content=_csv(rows))
    assert [(r.status, r.reason) for r in result.lines] == [
        ("confirmed", ""),
        ("confirmed", ""),
        ("confirmed", ""),
        ("flagged", "already_paid"),
    ]
    assert OrderEvent.objects.filter(kind=EventKind.PAID).count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_file_imported_twice_at_once_confirms_each_order_once() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file")
    raffle = make_raffle(size=100)
    orders = _orders(raffle, 40)
    content = _csv([(f"pago {o.code}", "10,00") for o in orders])
    barrier = threading.Barrier(2)
    counts: list[dict[str, int]] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(services.import_statement(content=content).counts)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c["confirmed"] for c in counts) == [0, 40]
    assert sorted(c["duplicate"] for c in counts) == [0, 40]
    assert OrderEvent.objects.filter(kind=EventKind.PAID).count() == 40
    assert StatementLine.objects.count() == 40
    assert Order.objects.filter(status="PAID").count() == 40
    assert Decimal(sum(o.total_amount for o in Order.objects.filter(status="PAID"))) == 400
