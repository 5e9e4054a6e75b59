"""The matching rules as a table (pure), and imports against the database: exact matches
confirmed or suggested, flags, the unmatched queue, idempotent re-import, staff answers,
and the audit rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from raffles import services
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput, StatementLineConflict
from raffles.models import (
    LineState,
    Order,
    OrderEvent,
    PaymentSetup,
    Raffle,
    StatementLine,
    TicketNumber,
)
from raffles.payments import matching
from raffles.payments.matching import OrderFacts, Outcome
from raffles.tests.factories import BuyerFactory, make_raffle

D = Decimal


def facts(code: str, total: str = "20.00", **kw: Any) -> OrderFacts:
    values = {"currency": "USD", "payable": True, "paid": False, "automatic": True} | kw
    return OrderFacts(code=code, total=D(total), **values)


ORDERS = {
    "ABC234": facts("ABC234"),
    "XYZ789": facts("XYZ789", "30.00"),
    "PAYDXX": facts("PAYDXX", paid=True, payable=False),
    "GNEXXX": facts("GNEXXX", payable=False),
    "REALXX": facts("REALXX", currency="BRL"),
}

# description, amount, line currency → outcome, codes
RULES = [
    ("transfer ABC234", "20.00", "", Outcome.EXACT, ("ABC234",)),
    ("ref abc-234", "20.00", "", Outcome.EXACT, ("ABC234",)),
    ("REF 000ABC 234 thanks", "20.00", "", Outcome.EXACT, ("ABC234",)),
    ("pago a.b.c.2.3.4", "20.00", "", Outcome.EXACT, ("ABC234",)),
    ("ABC234 + XYZ789", "50.00", "", Outcome.EXACT, ("ABC234", "XYZ789")),
    ("ABC234 ABC234", "20.00", "", Outcome.EXACT, ("ABC234",)),
    ("ABC234", "19.99", "", Outcome.PARTIAL, ("ABC234",)),
    ("ABC234 XYZ789", "20.00", "", Outcome.PARTIAL, ("ABC234", "XYZ789")),
    ("ABC234", "25.00", "", Outcome.OVERPAID, ("ABC234",)),
    ("ABC234", "20.00", "EUR", Outcome.CURRENCY, ("ABC234",)),
    ("ABC234 REALXX", "40.00", "", Outcome.CURRENCY, ("ABC234", "REALXX")),
    ("PAYDXX again", "20.00", "", Outcome.ALREADY_PAID, ("PAYDXX",)),
    ("GNEXXX", "20.00", "", Outcome.NOT_PAYABLE, ("GNEXXX",)),
    ("no code here", "20.00", "", Outcome.UNMATCHED, ()),
    ("ABC23", "20.00", "", Outcome.UNMATCHED, ()),
    ("ABC234", "0.00", "", Outcome.IGNORED, ()),
    ("ABC234", "-20.00", "", Outcome.IGNORED, ()),
]


@pytest.mark.parametrize(("description", "amount", "currency", "outcome", "codes"), RULES)
def test_matching_rules(
    description: str, amount: str, currency: str, outcome: str, codes: tuple[str, ...]
) -> None:
    found = matching.candidate_codes(description)
    decision = matching.decide(D(amount), currency, found, ORDERS)
    assert (decision.outcome, decision.codes) == (outcome, codes)


def test_fingerprints_ignore_case_and_spacing_but_not_the_occurrence() -> None:
    one = matching.fingerprint(when=None, amount=D(1), description="a  B", reference="")
    assert one == matching.fingerprint(when=None, amount=D(1), description="A b", reference="")
    assert one != matching.fingerprint(
        when=None, amount=D(1), description="A b", reference="", nth=2
    )
    assert matching.numbered(["a", "b", "a"]) == [1, 1, 2]


# --- against the database ---------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def _order(raffle: Raffle, numbers: list[int], code: str) -> Order:
    order = services.reserve_specific(raffle.pk, numbers, BuyerFactory())
    Order.objects.filter(pk=order.pk).update(code=code)
    order.refresh_from_db()
    return order


def _csv(*rows: tuple[str, str, str]) -> bytes:
    lines = ["Fecha;Concepto;Importe", *(";".join(r) for r in rows)]
    return "\n".join(lines).encode()


@pytest.fixture
def orders(raffle: Raffle) -> dict[str, Order]:
    return {
        "one": _order(raffle, [1, 2], "ABC234"),  # 20.00
        "two": _order(raffle, [3], "XYZ789"),  # 10.00
        "three": _order(raffle, [4], "KMN456"),  # 10.00
    }


@pytest.mark.django_db
def test_an_import_confirms_flags_and_queues(orders: dict[str, Order]) -> None:
    content = _csv(
        ("01/12/2026", "Transferencia ref abc-234", "20,00"),
        ("01/12/2026", "pago XYZ789 y KMN456", "20,00"),
        ("02/12/2026", "sin referencia", "15,00"),
        ("02/12/2026", "comision", "-3,00"),
        ("02/12/2026", "fecha mala", "oops words"),
    )
    result = services.import_statement(content=content, filename="banco.csv")
    assert result.counts == {
        "lines": 5,
        "confirmed": 2,
        "suggested": 0,
        "flagged": 0,
        "unmatched": 1,
        "duplicate": 0,
        "ignored": 1,
        "invalid": 1,
    }
    statuses = [(r.status, r.orders) for r in result.lines]
    assert statuses[:3] == [
        ("confirmed", ["ABC234"]),
        ("confirmed", ["XYZ789", "KMN456"]),
        ("unmatched", []),
    ]
    for order in orders.values():
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
    assert set(TicketNumber.objects.filter(status="SOLD").values_list("number", flat=True)) == {
        1,
        2,
        3,
        4,
    }
    matched = OrderEvent.objects.filter(kind=EventKind.STATEMENT_MATCHED)
    assert matched.count() == 3
    event = matched.get(order=orders["one"])
    assert event.details["description"] == "Transferencia ref abc-234"
    assert event.details["amount"] == "20.00"
    assert event.actor_label == "bank statement"
    assert OrderEvent.objects.filter(kind=EventKind.STATEMENT_IMPORTED).count() == 1
    assert StatementLine.objects.get(state=LineState.UNMATCHED).amount == D("15.00")


@pytest.mark.django_db
def test_the_same_lines_imported_twice_count_once(orders: dict[str, Order]) -> None:
    content = _csv(
        ("01/12/2026", "ref ABC234", "20,00"),
        ("01/12/2026", "sin referencia", "5,00"),
        ("01/12/2026", "sin referencia", "5,00"),  # a second, equal transfer
    )
    first = services.import_statement(content=content)
    assert [r.status for r in first.lines] == ["confirmed", "unmatched", "unmatched"]
    again = services.import_statement(content=content)
    assert again.counts["duplicate"] == 3
    assert again.counts["confirmed"] == 0
    assert StatementLine.objects.count() == 3
    assert OrderEvent.objects.filter(kind=EventKind.PAID).count() == 1
    # an overlapping export with one more line: only that line is new
    more = content + b"\n02/12/2026;pago XYZ789;10,00"
    third = services.import_statement(content=more)
    assert [r.status for r in third.lines] == ["duplicate"] * 3 + ["confirmed"]


@pytest.mark.django_db
def test_partial_and_over_payments_are_flagged_not_confirmed(orders: dict[str, Order]) -> None:
    content = _csv(("01/12/2026", "ABC234", "19,00"), ("01/12/2026", "XYZ789", "11,00"))
    result = services.import_statement(content=content)
    assert [(r.status, r.reason) for r in result.lines] == [
        ("flagged", "partial"),
        ("flagged", "overpaid"),
    ]
    orders["one"].refresh_from_db()
    assert orders["one"].status == Order.Status.PENDING_PAYMENT
    flagged = OrderEvent.objects.get(kind=EventKind.STATEMENT_FLAGGED, order=orders["one"])
    assert flagged.details["reason"] == "partial"
    assert flagged.details["expected"] == "20.00"


@pytest.mark.django_db
def test_suggest_only_raffles_get_suggestions(raffle: Raffle, orders: dict[str, Order]) -> None:
    PaymentSetup.objects.create(raffle=raffle, statement_matching="suggest")
    result = services.import_statement(content=_csv(("01/12/2026", "ABC234", "20,00")))
    assert result.lines[0].status == "suggested"
    line = StatementLine.objects.get()
    assert line.state == LineState.SUGGESTED
    orders["one"].refresh_from_db()
    assert orders["one"].status == Order.Status.PENDING_PAYMENT
    services.assign_statement_line(line)  # one click: the suggested order
    orders["one"].refresh_from_db()
    assert orders["one"].status == Order.Status.PAID
    assert OrderEvent.objects.filter(kind=EventKind.STATEMENT_ASSIGNED).count() == 1


@pytest.mark.django_db
def test_staff_assign_an_unmatched_line_or_discard_it(orders: dict[str, Order]) -> None:
    services.import_statement(
        content=_csv(("01/12/2026", "de Ana", "20,00"), ("01/12/2026", "otra", "1,00"))
    )
    first, second = StatementLine.objects.order_by("row")
    services.assign_statement_line(first, orders=[orders["one"]])
    orders["one"].refresh_from_db()
    assert orders["one"].status == Order.Status.PAID
    with pytest.raises(StatementLineConflict, match="already"):
        services.assign_statement_line(first, orders=[orders["two"]])
    services.discard_statement_line(second)
    second.refresh_from_db()
    assert second.state == LineState.DISCARDED
    with pytest.raises(StatementLineConflict):
        services.assign_statement_line(second)


@pytest.mark.django_db
def test_a_paid_order_paid_again_is_flagged(orders: dict[str, Order]) -> None:
    services.confirm_paid(orders["one"])
    result = services.import_statement(content=_csv(("01/12/2026", "ABC234", "20,00")))
    assert (result.lines[0].status, result.lines[0].reason) == ("flagged", "already_paid")


@pytest.mark.django_db
def test_an_expired_order_whose_numbers_were_taken_is_flagged() -> None:
    raffle = make_raffle(size=10)
    order = _order(raffle, [1], "ABC234")
    services.cancel_order(order)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)
    services.reserve_specific(raffle.pk, [1], BuyerFactory())
    result = services.import_statement(content=_csv(("01/12/2026", "ABC234", "10,00")))
    assert (result.lines[0].status, result.lines[0].reason) == ("flagged", "numbers_taken")


@pytest.mark.django_db
def test_unreadable_files_are_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot be read"):
        services.import_statement(content=b"hello,world\n1,2")
    with pytest.raises(InvalidInput, match="empty"):
        services.import_statement(content=b"")


@pytest.mark.django_db
def test_a_saved_mapping_is_used(orders: dict[str, Order]) -> None:
    mapping = services.save_statement_mapping(
        name="Banco Raro",
        date_column="Dia",
        description_columns=["Movimiento"],
        amount_column="Entrada",
        decimal=",",
    )
    content = b"Dia;Movimiento;Entrada\n01/12/2026;ABC234;20\n"
    result = services.import_statement(content=content, mapping=mapping)
    assert result.lines[0].status == "confirmed"


@pytest.mark.django_db
def test_payment_setup_for_pix(raffle: Raffle) -> None:
    with pytest.raises(InvalidInput, match="reais"):
        services.update_payment_setup(raffle, methods=["pix"], pix_key="a@b.co")
    Raffle.objects.filter(pk=raffle.pk).update(currency="BRL")
    raffle.refresh_from_db()
    with pytest.raises(InvalidInput, match="Pix"):
        services.update_payment_setup(raffle, methods=["pix"], pix_key="nope")
    setup = services.update_payment_setup(
        raffle,
        methods=["transfer", "pix"],
        pix_key="Ana@Example.com",
        pix_merchant_name="Ana",
        pix_merchant_city="Rio",
    )
    assert setup.methods == ["transfer", "pix"]
    assert setup.pix_key == "ana@example.com"
    assert OrderEvent.objects.filter(kind=EventKind.PAYMENT_SETUP_CHANGED).count() == 1


@pytest.mark.django_db
def test_an_order_paid_twice_in_one_file_flags_the_second_line(orders: dict[str, Order]) -> None:
    content = _csv(("01/12/2026", "ABC234", "20,00"), ("02/12/2026", "ABC234 otra vez", "20,00"))
    result = services.import_statement(content=content)
    assert [(r.status, r.reason) for r in result.lines] == [
        ("confirmed", ""),
        ("flagged", "already_paid"),
    ]
