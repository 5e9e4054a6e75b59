"""Amounts and dates as banks write them in statements ("1.500,00", "1,500.00", "R$ 10,00",
"(20.00)", "01/12/2026"), read tolerantly but never guessed: a column whose decimal sign
cannot be told ("1.500" alone) is refused unless the mapping names it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation


class StatementValueError(ValueError):
    """A cell that is not an amount or a date; the message says why."""


def _strip(text: str) -> tuple[str, bool]:
    body = (text or "").strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1], True
    body = re.sub(r"[^\d.,+\-]", "", body)
    if body.endswith("-"):
        body, negative = body[:-1], True
    if body.startswith("-"):
        body, negative = body[1:], not negative
    return body.lstrip("+"), negative


def decimal_hint(text: str) -> str | None:
    """The decimal sign one amount shows unambiguously ("," or "."), else None."""
    body, _neg = _strip(text)
    if "," in body and "." in body:
        return "," if body.rfind(",") > body.rfind(".") else "."
    for sign in ",.":
        if body.count(sign) > 1:
            return "." if sign == "," else ","  # a repeated sign groups thousands
        if body.count(sign) == 1 and len(body) - body.index(sign) - 1 != 3:
            return sign
    return None


def infer_decimal(texts: Iterable[str]) -> str | None:
    """The decimal sign of a column: what its amounts show; None when none shows it.
    Raises StatementValueError when they disagree."""
    seen = {hint for hint in map(decimal_hint, texts) if hint}
    if len(seen) > 1:
        raise StatementValueError("the amounts mix “1.500,00” and “1,500.00”")
    return seen.pop() if seen else None


def read_amount(text: str, decimal: str | None) -> Decimal:
    """One amount. `decimal` is the column's decimal sign (None: the cell must show it,
    or have no separator at all)."""
    body, negative = _strip(text)
    if not body:
        if sum(ch.isalpha() for ch in text or "") > 3:  # words, not a currency sign
            raise StatementValueError(f"“{text}” is not an amount")
        return Decimal(0)
    if not re.fullmatch(r"\d[\d.,]*", body) or not body[-1].isdigit():
        raise StatementValueError(f"“{text}” is not an amount")
    sign = decimal or decimal_hint(body)
    if sign is None and ("," in body or "." in body):
        raise StatementValueError(
            f"“{text}” could be read two ways; name the decimal sign in the column mapping"
        )
    group = "." if sign == "," else ","
    whole, _dot, fraction = body.partition(sign) if sign else (body, "", "")
    if sign and sign in fraction:
        raise StatementValueError(f"“{text}” has two decimal signs")
    if group in fraction or (
        group in whole and not re.fullmatch(r"\d{1,3}(" + re.escape(group) + r"\d{3})+", whole)
    ):
        raise StatementValueError(f"“{text}” groups its digits wrongly")
    try:
        value = Decimal(whole.replace(group, "") + "." + (fraction or "0"))
    except InvalidOperation:
        raise StatementValueError(f"“{text}” is not an amount") from None
    return -value if negative else value


_DATE_PARTS = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})")
DATE_ORDERS = ("dmy", "mdy", "ymd")


def date_order_hint(text: str) -> str | None:
    match = _DATE_PARTS.match((text or "").strip())
    if not match:
        compact = re.match(r"^(\d{8})", (text or "").strip())
        return "ymd" if compact else None
    a, b, _c = match.groups()
    if len(a) == 4:
        return "ymd"
    if int(a) > 12:
        return "dmy"
    if int(b) > 12:
        return "mdy"
    return None


def infer_date_order(texts: Iterable[str], default: str = "dmy") -> str:
    seen = {hint for hint in map(date_order_hint, texts) if hint and hint != "ymd"}
    if len(seen) > 1:
        raise StatementValueError("the dates mix day-first and month-first")
    return seen.pop() if seen else default


def read_date(text: str, order: str = "dmy") -> date:
    body = (text or "").strip()
    compact = re.match(r"^(\d{4})(\d{2})(\d{2})", body)
    match = _DATE_PARTS.match(body)
    try:
        if match is None and compact:
            return date(int(compact[1]), int(compact[2]), int(compact[3]))
        if match is None:
            raise ValueError
        a, b, c = (int(x) for x in match.groups())
        if len(match[1]) == 4:
            return date(a, b, c)
        year = c + 2000 if c < 100 else c
        return date(year, b, a) if order == "dmy" else date(year, a, b)
    except ValueError:
        raise StatementValueError(f"“{text}” is not a date") from None
