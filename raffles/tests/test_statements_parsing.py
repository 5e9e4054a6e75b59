"""Statement files as banks write them: CSV headers in es/pt/en, locale-aware amounts,
preamble lines, saved column mappings, OFX."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raffles.payments import amounts
from raffles.payments.statements import Mapping, StatementFormatError, parse

FILES = Path(__file__).parent / "statements"


def test_spanish_bank_with_preamble_and_two_date_columns() -> None:
    parsed = parse((FILES / "bank_es.csv").read_bytes())
    assert parsed.format == "csv"
    assert parsed.columns["date"] == "Fecha operación"
    assert parsed.columns["amount"] == "Importe"
    assert parsed.columns["decimal"] == ","
    first, fee, third = parsed.lines
    assert first.date == date(2026, 12, 1)
    assert first.amount == Decimal("1500.00")
    assert "abc-234" in first.description
    assert fee.amount == Decimal("-3.50")
    assert third.date == date(2026, 12, 13)


def test_portuguese_bank_cp1252() -> None:
    content = (FILES / "bank_pt.csv").read_text().encode("cp1252")
    parsed = parse(content)
    assert parsed.columns["amount"] == "Valor (R$)"
    assert parsed.columns["description"] == ["Histórico", "Documento"]
    assert [line.amount for line in parsed.lines] == [Decimal("1500.00"), Decimal("0.00")]
    assert parsed.lines[0].date == date(2026, 12, 5)


def test_english_bank_month_first() -> None:
    parsed = parse((FILES / "bank_en.csv").read_bytes())
    assert parsed.columns["decimal"] == "."
    assert parsed.columns["date_order"] == "mdy"
    assert parsed.lines[0].date == date(2026, 12, 24)
    assert parsed.lines[0].amount == Decimal("1500.00")
    assert parsed.lines[0].description == "Transfer from John ABC 234"


def test_ofx() -> None:
    parsed = parse((FILES / "bank.ofx").read_bytes(), filename="extrato.ofx")
    assert parsed.format == "ofx"
    credit, debit = parsed.lines
    assert credit.date == date(2026, 12, 1)
    assert credit.amount == Decimal("150.00")
    assert credit.reference == "2026120100001"
    assert credit.currency == "BRL"
    assert credit.description == "MARIA SILVA PIX ABC234"
    assert debit.amount == Decimal("-10.00")


def test_ofx_xml_with_closing_tags() -> None:
    content = (
        b'<?xml version="1.0"?><OFX><CURDEF>USD</CURDEF><BANKTRANLIST><STMTTRN>'
        b"<DTPOSTED>20261203</DTPOSTED><TRNAMT>25.50</TRNAMT><FITID>X1</FITID>"
        b"<NAME>Pay ABC234</NAME></STMTTRN></BANKTRANLIST></OFX>"
    )
    (line,) = parse(content).lines
    assert (line.amount, line.reference, line.description) == (Decimal("25.50"), "X1", "Pay ABC234")


def test_a_saved_mapping_reads_other_headers() -> None:
    content = b"Dia;Movimiento;Entrada\n03-12-2026;pago rifa ABC234;10\n"
    mapping = Mapping(
        date_column="Dia", description_columns=("Movimiento",), amount_column="Entrada"
    )
    (line,) = parse(content, mapping=mapping).lines
    assert (line.date, line.amount) == (date(2026, 12, 3), Decimal(10))


def test_a_mapping_names_the_decimal_sign_of_an_ambiguous_column() -> None:
    content = b"fecha;concepto;monto\n01/12/2026;x ABC234;1.500\n"
    with_sign = Mapping("fecha", ("concepto",), "monto", decimal=",")
    assert parse(content, mapping=with_sign).lines[0].amount == Decimal(1500)
    (line,) = parse(content).lines
    assert line.amount is None
    assert "two ways" in line.error


def test_files_without_a_known_header_are_refused() -> None:
    with pytest.raises(StatementFormatError, match="header"):
        parse(b"a,b,c\n1,2,3\n")
    with pytest.raises(StatementFormatError, match="csv or ofx"):
        parse(b"x", format="xls")


@pytest.mark.parametrize(
    ("text", "sign", "value"),
    [
        ("1.500,00", None, "1500.00"),
        ("1,500.00", None, "1500.00"),
        ("R$ 1.500,00", None, "1500.00"),
        ("$1,500.00", None, "1500.00"),
        ("(20.00)", None, "-20.00"),
        ("20,00-", None, "-20.00"),
        ("1500", None, "1500"),
        ("1.500", ",", "1500"),
        ("1.500", ".", "1.5"),
        ("10,5", None, "10.5"),
        ("1.234.567", None, "1234567"),
    ],
)
def test_amounts(text: str, sign: str | None, value: str) -> None:
    assert amounts.read_amount(text, sign) == Decimal(value)


@pytest.mark.parametrize("text", ["1.500", "1,50,0", "none", "1.50.0,0"])
def test_ambiguous_or_broken_amounts_are_refused(text: str) -> None:
    with pytest.raises(amounts.StatementValueError):
        amounts.read_amount(text, None)


@given(st.integers(min_value=0, max_value=10**12))
def test_amounts_written_either_way_read_the_same(cents: int) -> None:
    value = Decimal(cents) / 100
    english = f"{value:,.2f}"
    continental = english.replace(",", "_").replace(".", ",").replace("_", ".")
    assert amounts.read_amount(english, None) == value
    assert amounts.read_amount(continental, None) == value


def test_old_mac_line_ends_and_broken_quoting() -> None:
    content = b"Fecha;Concepto;Importe\r01/12/2026;ABC234;20,00\r"
    assert [line.amount for line in parse(content).lines] == [Decimal("20.00")]


@given(st.binary(max_size=400), st.sampled_from(["", "csv", "ofx"]))
def test_any_bytes_read_or_are_refused_cleanly(content: bytes, kind: str) -> None:
    header = b"Fecha;Concepto;Importe\n" if kind == "csv" else b""
    with contextlib.suppress(StatementFormatError):
        parse(header + content, format=kind)
