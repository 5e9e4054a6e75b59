"""Proof hints: what a PDF payment proof says (amounts, dates, the order's code), read once
when the proof arrives and shown beside what the order expects, with mismatches flagged.

Reading is bounded (file size, the first pages, the text length, a time budget checked
between pages) and never raises: a malformed, encrypted or empty PDF gives hints that say
the text could not be read. Everything here is pure: bytes and facts in, a JSON-ready dict
out (`PaymentProof.hints`), and `Hints.from_json` to show it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from raffles.payments.amounts import (
    StatementValueError,
    date_order_hint,
    decimal_hint,
    read_amount,
    read_date,
)
from raffles.payments.matching import compact
from raffles.payments.written_dates import written_dates

MAX_BYTES = 5 * 1024 * 1024
MAX_PAGES = 3
MAX_CHARS = 20_000
MAX_SECONDS = 3.0
MAX_FOUND = 10  # amounts or dates kept
HINTS_VERSION = 1

PDF_MIME = "application/pdf"
# Buyer-sent files are often damaged; pypdf's recoverable-error warnings are noise here.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class Flag:
    AMOUNT_DIFFERS = "amount_differs"
    AMOUNT_MISSING = "amount_missing"
    CODE_MISSING = "code_missing"
    DATE_BEFORE_ORDER = "date_before_order"
    UNREADABLE = "unreadable"


_CURRENCY = r"R\$|US\$|U\$S|\$|Gs\.?|₲|S/\.?|€|BRL|USD|PYG|ARS|EUR"
_AMOUNT = re.compile(rf"(?P<cur>{_CURRENCY})?\s?(?<![\d.,])(?P<num>\d(?:[\d.,]*\d)?)")
_DATE = re.compile(r"(?<!\d)(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4})(?!\d)")
_TWO_DECIMALS = re.compile(r"[.,]\d{2}$")


def is_pdf(content: bytes, mime_type: str) -> bool:
    return mime_type == PDF_MIME or content[:5] == b"%PDF-"


def read_pdf_text(content: bytes) -> tuple[str, str]:
    """(text, problem): the text of the first `MAX_PAGES` pages, at most `MAX_CHARS`; the
    problem is "" when the file was read, else a short reason. Never raises."""
    if len(content) > MAX_BYTES:
        return "", "too_large"
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return "", "encrypted"
        started = time.monotonic()
        parts: list[str] = []
        size = 0
        for index, page in enumerate(reader.pages):
            if index >= MAX_PAGES or size >= MAX_CHARS:
                break
            if time.monotonic() - started > MAX_SECONDS:
                break
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
    except Exception as exc:  # a proof is buyer-sent bytes: any failure is "unreadable"
        return "", type(exc).__name__
    text = "\n".join(parts)[:MAX_CHARS]
    return text, "" if text.strip() else "no_text"


def _amount_readings(num: str, with_currency: bool) -> list[Decimal]:
    hint = decimal_hint(num)
    if hint is None and ("," in num or "." in num):
        # "1.500" or "1,500" alone: a currency sign makes it money; read both ways.
        if not with_currency:
            return []
        readings = []
        for sign in (",", "."):
            with contextlib.suppress(StatementValueError):
                readings.append(read_amount(num, sign))
        return readings
    if not with_currency and not _TWO_DECIMALS.search(num):
        return []  # a bare integer or a date part, not money
    try:
        return [read_amount(num, hint)]
    except StatementValueError:
        return []


def find_amounts(text: str) -> list[Decimal]:
    """Money amounts in the text, in order, without repeats: numbers after a currency sign
    ("R$ 25,00", "$25") and numbers with two decimals ("1.500,00", "1,500.00")."""
    found: dict[Decimal, None] = {}
    for match in _AMOUNT.finditer(text):
        for value in _amount_readings(match["num"], bool(match["cur"])):
            if value > 0:
                found.setdefault(value.quantize(Decimal("0.01")), None)
        if len(found) >= MAX_FOUND:
            break
    return list(found)


def find_dates(text: str) -> list[date]:
    """Dates in the text, in the order written: "01/12/2026" (day first unless it cannot
    be), "2026-12-01", and with the month's name ("3 de diciembre de 2026", "December 3,
    2026", "03/dic/2026": `written_dates`)."""
    spotted: list[tuple[int, date]] = []
    for match in _DATE.finditer(text):
        token = match[1]
        try:
            spotted.append((match.start(), read_date(token, date_order_hint(token) or "dmy")))
        except StatementValueError:
            continue
    spotted.extend(written_dates(text))
    found: dict[date, None] = {}
    for _at, when in sorted(spotted, key=lambda item: item[0]):
        found.setdefault(when, None)
        if len(found) >= MAX_FOUND:
            break
    return list(found)


def mentions_code(text: str, code: str) -> bool:
    """The order code anywhere, whatever the case, spaces, dashes or dots inside it."""
    return bool(code) and compact(code) in compact(text)


@dataclass(frozen=True)
class Hints:
    amounts: tuple[Decimal, ...]
    dates: tuple[date, ...]
    reference: str  # the order code when the proof mentions it
    flags: tuple[str, ...]
    problem: str = ""

    @property
    def readable(self) -> bool:
        return not self.problem

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def amount_differs(self) -> bool:
        return Flag.AMOUNT_DIFFERS in self.flags

    @property
    def amount_missing(self) -> bool:
        return Flag.AMOUNT_MISSING in self.flags

    @property
    def code_missing(self) -> bool:
        return Flag.CODE_MISSING in self.flags

    @property
    def date_before_order(self) -> bool:
        return Flag.DATE_BEFORE_ORDER in self.flags

    @property
    def mismatch(self) -> bool:
        """Something to check before confirming."""
        return bool(self.flags)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": HINTS_VERSION,
            "amounts": [str(a) for a in self.amounts],
            "dates": [d.isoformat() for d in self.dates],
            "reference": self.reference,
            "flags": list(self.flags),
            "problem": self.problem,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Hints | None:
        """The stored hints, or None when the proof has none (not a PDF)."""
        if not data:
            return None
        try:
            return cls(
                amounts=tuple(Decimal(a) for a in data.get("amounts", [])),
                dates=tuple(date.fromisoformat(d) for d in data.get("dates", [])),
                reference=str(data.get("reference", "")),
                flags=tuple(str(f) for f in data.get("flags", [])),
                problem=str(data.get("problem", "")),
            )
        except (ValueError, ArithmeticError, TypeError, AttributeError):
            return None


def hints_from_text(text: str, *, code: str, expected: Decimal, ordered_on: date) -> Hints:
    amounts = find_amounts(text)
    dates = find_dates(text)
    found_code = mentions_code(text, code)
    flags: list[str] = []
    if not amounts:
        flags.append(Flag.AMOUNT_MISSING)
    elif expected.quantize(Decimal("0.01")) not in amounts:
        flags.append(Flag.AMOUNT_DIFFERS)
    if not found_code:
        flags.append(Flag.CODE_MISSING)
    if dates and max(dates) < ordered_on:
        flags.append(Flag.DATE_BEFORE_ORDER)
    return Hints(tuple(amounts), tuple(dates), code if found_code else "", tuple(flags))


def hints_for_pdf(content: bytes, *, code: str, expected: Decimal, ordered_on: date) -> Hints:
    """The hints of one PDF proof for an order (its code, total and day). Never raises."""
    text, problem = read_pdf_text(content)
    if problem:
        return Hints((), (), "", (Flag.UNREADABLE,), problem)
    return hints_from_text(text, code=code, expected=expected, ordered_on=ordered_on)
