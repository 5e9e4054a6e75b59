"""Money and counts as staff type and read them: one set of rules per language.

Rules (the same for every form of the portal that takes money or a count):

* English writes "1,500.00": "." marks decimals and "," groups thousands. Spanish and
  Portuguese write "1.500,00": "," marks decimals and "." groups thousands.
* Digits are written either ungrouped ("1500") or grouped in threes from the right, with
  one to three digits in front ("1.500", "12.345.678"). Any other grouping ("1.50" in
  Spanish, "1,50" in English, "1.5000") is refused: it is most often a number typed in the
  other convention, and guessing would turn one and a half into 150.
* At most one decimal sign, with at least one digit on each side ("0,5", not ",5" or "5,").
* Money has at most two decimals: "1.999" in English is refused, never rounded. In Spanish
  "1.999" is grouped correctly, so it is one thousand nine hundred and ninety-nine.
* Nothing else is accepted: no signs, exponents ("1e3"), currency symbols or spaces inside.
* Counts are whole numbers: "1.000" in Spanish is a thousand; "1,000" in Spanish (one, with
  decimals) and "1.5" in English are refused.

Every refusal is a `NumberInputError` whose message is translated and shows an example in
the staff member's own format. `format_decimal` and `format_integer` write numbers the way
the parser reads them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Separators:
    decimal: str
    group: str


ENGLISH = Separators(decimal=".", group=",")
CONTINENTAL = Separators(decimal=",", group=".")


def separators(language: str | None = None) -> Separators:
    """The separators of a language code ("es", "pt-br", "en-us"); English when unknown."""
    code = (language or get_language() or "en").lower()
    return CONTINENTAL if code.split("-")[0] in {"es", "pt"} else ENGLISH


class NumberInputError(ValueError):
    """Typed text that is not a number in the staff member's format; `message` says why."""

    def __init__(self, message: str | Promise, code: str) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def _example(places: int, seps: Separators) -> str:
    return "1" + seps.group + "500" + (seps.decimal + ("5" + "0" * (places - 1)) if places else "")


def _split(text: str, seps: Separators, *, places: int) -> tuple[str, str]:
    """Check `text` against the rules; return its integer digits and its fraction digits."""
    body = text.strip()
    hint = _("Write it like %(example)s.") % {"example": _example(places, seps)}
    if not body:
        raise NumberInputError(_("Enter a number."), "required")
    allowed = set("0123456789") | {seps.decimal, seps.group}
    if any(ch not in allowed for ch in body):
        raise NumberInputError(
            _("Use only digits, “%(decimal)s” for decimals and “%(group)s” for thousands.")
            % {"decimal": seps.decimal, "group": seps.group}
            + " "
            + hint,
            "invalid",
        )
    whole, sign, fraction = body.partition(seps.decimal)
    if seps.decimal in fraction:
        raise NumberInputError(
            _("“%(decimal)s” marks decimals and may appear only once.") % {"decimal": seps.decimal}
            + " "
            + hint,
            "invalid",
        )
    grouped = re.fullmatch(r"\d{1,3}(?:" + re.escape(seps.group) + r"\d{3})+", whole)
    if not (re.fullmatch(r"\d+", whole) or grouped) or seps.group in fraction:
        raise NumberInputError(
            _("“%(group)s” groups thousands in threes; decimals follow “%(decimal)s”.")
            % {"decimal": seps.decimal, "group": seps.group}
            + " "
            + hint,
            "grouping",
        )
    if sign and not re.fullmatch(r"\d+", fraction):
        raise NumberInputError(
            _("Write at least one digit after “%(decimal)s”.") % {"decimal": seps.decimal}
            + " "
            + hint,
            "invalid",
        )
    return whole.replace(seps.group, ""), fraction


def parse_decimal(text: str, *, places: int = 2, language: str | None = None) -> Decimal:
    """An amount with at most `places` decimals, read by the language's rules."""
    seps = separators(language)
    try:
        whole, fraction = _split(text, seps, places=places)
    except NumberInputError as exc:
        raise NumberInputError(_("This must be a number.") + " " + exc.message, exc.code) from None
    if len(fraction) > places:
        raise NumberInputError(
            _("Use at most %(places)d decimals.") % {"places": places}
            + " "
            + _("Write it like %(example)s.") % {"example": _example(places, seps)},
            "decimals",
        )
    return Decimal(f"{whole}.{fraction or '0'}").quantize(Decimal(1).scaleb(-places))


def parse_integer(text: str, *, language: str | None = None) -> int:
    """A whole number (no sign), read by the language's rules."""
    seps = separators(language)
    try:
        whole, fraction = _split(text, seps, places=0)
    except NumberInputError as exc:
        raise NumberInputError(_("Enter a whole number.") + " " + exc.message, exc.code) from None
    if fraction or seps.decimal in text:
        raise NumberInputError(
            _("Enter a whole number, without decimals.")
            + " "
            + _("Write it like %(example)s.") % {"example": _example(0, seps)},
            "whole",
        )
    return int(whole)


def _group(digits: str, group: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return group.join(parts)


def format_decimal(
    value: Decimal | int | float | str | None,
    *,
    places: int = 2,
    language: str | None = None,
    grouping: bool = True,
) -> str:
    """'1.500,00' (es) / '1,500.00' (en); negative amounts keep a leading '-'."""
    seps = separators(language)
    amount = Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-places))
    sign = "-" if amount < 0 else ""
    whole, _dot, fraction = f"{abs(amount):f}".partition(".")
    whole = _group(whole, seps.group) if grouping else whole
    return sign + whole + (seps.decimal + fraction if places else "")


def format_integer(value: int | None, *, language: str | None = None, grouping: bool = True) -> str:
    """'1.500' (es) / '1,500' (en)."""
    return format_decimal(value or 0, places=0, language=language, grouping=grouping)
