"""Money or numbers? Telling an amount or a payment note from a list of numbers. Pure and
deterministic.

A text is an amount (`MONEY`) when it has a currency sign or code next to a number ("$1.500",
"R$ 25,00", "1500 USD"), a number with a decimal separator and one or two decimals ("25.50",
"25,5"), thousands separators ("1,500", "1.500,00", "1,500.00"), exponent notation ("1e3",
"2.5e1"), or when it is one plain number equal to the amount due. It is a payment note
(`NOTE`) when it says the buyer paid ("ya pagué", "pagado", "paid", "transferí", "paguei").
Plain lists ("5,12,99", "5 12 99", "05, 12", "10-15") are neither: they stay numbers; so are
"5,12" and "1,500" when no order waits for payment (only then can they mean an amount).
"""

from __future__ import annotations

import re
from decimal import Decimal

from messaging.bot.flow.buyer_text import fold, tokens, words

MONEY = "money"
NOTE = "note"

_CODES = r"usd|us\$|r\$|mxn|cop|ars|brl|clp|pen|eur|gbp|pesos?|dolares|dollars?|reais|soles"
_SIGN = re.compile(rf"(?:[$€£]|\b(?:{_CODES}))\s*\d|\d\s*(?:[$€£]|(?:{_CODES})\b)")
_DECIMAL = re.compile(r"\d+[.,]\d{1,2}")
_THOUSANDS = (
    re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"),  # 1,500 and 1,500.00
    re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"),  # 1.500 and 1.500,00
)
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?e[+-]?\d+")
# "5,12" or "1,500": an amount to a buyer whose order waits for payment, two numbers to anyone
# else (number lists are written with commas too).
_COMMA_ONLY = re.compile(r"\d+(?:,\d+)+")
_EDGES = "¡!¿?()[]{}\"'*:;.,"

NOTE_WORDS = frozenset(
    {
        "pague",
        "pagado",
        "pagada",
        "pagamos",
        "paid",
        "transferi",
        "transferido",
        "transferida",
        "transferred",
        "transfered",
        "deposite",
        "depositado",
        "depositada",
        "deposited",
        "paguei",
        "pagou",
        "transferiu",
    }
)
NOTE_PHRASES = (
    "ya hice el pago",
    "hice el pago",
    "hice la transferencia",
    "ya hice la transferencia",
    "fiz o pix",
    "fiz o pagamento",
    "pagamento feito",
    "pago hecho",
    "pago realizado",
    "payment done",
    "payment sent",
    "sent the money",
    "sent the payment",
)


def _chunks(text: str) -> list[str]:
    return [c.strip(_EDGES) for c in fold(text).split()]


def _is_amount(chunk: str) -> bool:
    patterns = (_EXPONENT, _DECIMAL, *_THOUSANDS)
    return any(p.fullmatch(chunk) for p in patterns)


def is_payment_note(text: str) -> bool:
    if any(t in NOTE_WORDS for t in tokens(text)):
        return True
    phrase = f" {words(text)} "
    return any(f" {p} " in phrase for p in NOTE_PHRASES)


def classify(text: str, *, due: Decimal | None) -> str | None:
    """`MONEY`, `NOTE`, or None (not about paying: read it as usual)."""
    if is_payment_note(text):
        return NOTE
    folded = fold(text)
    if _SIGN.search(folded):
        return MONEY
    chunks = [c for c in _chunks(text) if c]
    if any(_is_amount(c) and (due is not None or not _COMMA_ONLY.fullmatch(c)) for c in chunks):
        return MONEY
    single = chunks[0] if len(chunks) == 1 else ""
    plain = single.isascii() and single.isdigit() and len(single) <= 12
    if due is not None and plain and Decimal(single) == due:
        return MONEY
    return None
