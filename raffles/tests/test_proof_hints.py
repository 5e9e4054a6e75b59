"""Proof hints: amounts, dates and the order code read from PDF proofs, bounded and safe."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from raffles import services
from raffles.payments import proof_hints
from raffles.payments.proof_hints import Flag, Hints, find_amounts, find_dates, hints_for_pdf
from raffles.testing.pdf import text_pdf

DAY = date(2026, 12, 1)
GOOD = text_pdf(
    [
        "Comprovante de transferencia",
        "Valor: R$ 1.500,00",
        "Data: 02/12/2026",
        "Descricao: pedido abc-234",
    ]
)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("Total 1.500,00", [Decimal("1500.00")]),
        ("Total 1,500.00", [Decimal("1500.00")]),
        ("Valor R$ 25,00", [Decimal("25.00")]),
        ("Amount $25", [Decimal("25.00")]),
        ("Monto Gs. 50.000", [Decimal("50000.00"), Decimal("50.00")]),  # ambiguous: both
        ("Conta 0981 123456, agencia 12-3, 01/12/2026 14:30", []),  # no money here
        ("", []),
    ],
)
def test_amounts_are_read_by_locale(text: str, amounts: list[Decimal]) -> None:
    assert find_amounts(text) == amounts


def test_dates_day_first_unless_they_cannot_be() -> None:
    assert find_dates("em 02/12/2026, or 12/31/2026, or 2026-11-30; not 99/99/2026") == [
        date(2026, 12, 2),
        date(2026, 12, 31),
        date(2026, 11, 30),
    ]


def test_matching_proof_has_no_flags() -> None:
    hints = hints_for_pdf(GOOD, code="ABC234", expected=Decimal("1500"), ordered_on=DAY)
    assert hints.amounts == (Decimal("1500.00"),)
    assert hints.dates == (date(2026, 12, 2),)
    assert hints.reference == "ABC234"
    assert hints.flags == ()
    assert Hints.from_json(hints.to_json()) == hints


def test_mismatches_are_flagged() -> None:
    pdf = text_pdf(["Valor: R$ 1.400,00", "Data: 30/11/2026", "Pix sem mensagem"])
    hints = hints_for_pdf(pdf, code="ABC234", expected=Decimal("1500"), ordered_on=DAY)
    assert set(hints.flags) == {Flag.AMOUNT_DIFFERS, Flag.CODE_MISSING, Flag.DATE_BEFORE_ORDER}
    assert hints.reference == ""


def test_code_tolerates_case_spaces_and_dashes() -> None:
    pdf = text_pdf(["Ref: a b-c 2.3 4", "USD 10.00"])
    hints = hints_for_pdf(pdf, code="ABC234", expected=Decimal("10"), ordered_on=DAY)
    assert hints.reference == "ABC234"
    assert hints.flags == ()


def test_only_the_first_pages_are_read() -> None:
    text, problem = proof_hints.read_pdf_text(text_pdf(["x 1,00"], pages=proof_hints.MAX_PAGES + 4))
    assert problem == ""
    assert text.count("1,00") == proof_hints.MAX_PAGES


def _encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _blank() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", None),
        (b"%PDF-1.4", None),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>", None),
        (GOOD[: len(GOOD) // 2], None),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 50, None),
        (_blank(), "no_text"),
        (_encrypted(), "encrypted"),
        (b"%PDF-1.4" + b"0" * (proof_hints.MAX_BYTES + 1), "too_large"),
    ],
)
def test_broken_encrypted_and_empty_pdfs_are_unreadable_not_errors(
    content: bytes, problem: str | None
) -> None:
    hints = hints_for_pdf(content, code="ABC234", expected=Decimal("1"), ordered_on=DAY)
    if hints.readable:  # a truncated file may still give its text
        return
    assert hints.flags == (Flag.UNREADABLE,)
    assert problem is None or hints.problem == problem


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=len(GOOD)))
def test_any_bytes_never_raise(noise: bytes, cut: int) -> None:
    mangled = GOOD[:cut] + noise + GOOD[cut:]
    hints = hints_for_pdf(mangled, code="ABC234", expected=Decimal("1500"), ordered_on=DAY)
    assert Hints.from_json(hints.to_json()) == hints


@given(st.text(max_size=300))
def test_any_text_never_raises(text: str) -> None:
    proof_hints.hints_from_text(text, code="ABC234", expected=Decimal("1"), ordered_on=DAY)


@pytest.mark.django_db
def test_attaching_a_pdf_stores_its_hints_once(raffle, buyer) -> None:
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    day = order.created_at.date()
    pdf = text_pdf(
        [f"Valor {order.total_amount:.2f}", f"Data {day:%d/%m/%Y}", f"Ref {order.code.lower()}"]
    )
    proof = services.attach_payment_proof(order, content=pdf, mime_type="application/pdf")
    proof.refresh_from_db()
    hints = Hints.from_json(proof.hints)
    assert hints is not None
    assert hints.reference == order.code
    assert hints.flags == ()


@pytest.mark.django_db
def test_attaching_an_image_or_an_old_receipt(raffle, buyer) -> None:
    order = services.reserve_specific(raffle.pk, [1], buyer)
    image = services.attach_payment_proof(order, content=b"\x89PNG0000", mime_type="image/png")
    assert image.hints == {}
    old = text_pdf(
        [
            f"Valor {order.total_amount + 1:.2f}",
            f"{order.created_at.date() - timedelta(days=3):%d/%m/%Y}",
        ]
    )
    proof = services.attach_payment_proof(order, content=old, mime_type="application/pdf")
    assert set(Hints.from_json(proof.hints).flags) == {  # type: ignore[union-attr]
        Flag.AMOUNT_DIFFERS,
        Flag.CODE_MISSING,
        Flag.DATE_BEFORE_ORDER,
    }


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Fecha: 3 de diciembre de 2026", date(2026, 12, 3)),
        ("Data: 3 de dezembro de 2026", date(2026, 12, 3)),
        ("Date: December 3, 2026", date(2026, 12, 3)),
        ("Fecha 03/dic/2026 14:30", date(2026, 12, 3)),
        ("em 03-DEZ-2026", date(2026, 12, 3)),
        ("Dec. 3rd 2026", date(2026, 12, 3)),
        ("3 Dec 2026", date(2026, 12, 3)),
        ("1º de março de 2026", date(2026, 3, 1)),
        ("15 de setiembre del 2026", date(2026, 9, 15)),
        ("Sábado, 5 de septiembre de 2026", date(2026, 9, 5)),
    ],
)
def test_dates_written_with_the_months_name(text: str, day: date) -> None:
    assert find_dates(text) == [day]


def test_words_that_are_no_month_and_impossible_days_are_no_dates() -> None:
    assert find_dates("31 de febrero de 2026, pedido 12 ABC 2026, total 3 por 2026") == []


def test_written_and_numeric_dates_keep_their_order() -> None:
    text = "emitido 02/12/2026; pago el 1 de diciembre de 2026; November 30, 2026"
    assert find_dates(text) == [date(2026, 12, 2), date(2026, 12, 1), date(2026, 11, 30)]


def test_a_pdf_with_a_written_date_before_the_order_is_flagged() -> None:
    pdf = text_pdf(["Comprobante", "Monto: $ 1.500,00", "Fecha: 30 de noviembre de 2026", "ABC234"])
    hints = hints_for_pdf(pdf, code="ABC234", expected=Decimal("1500"), ordered_on=DAY)
    assert hints.dates == (date(2026, 11, 30),)
    assert hints.flags == (Flag.DATE_BEFORE_ORDER,)
