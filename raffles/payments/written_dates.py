"""Dates written with the month's name, as receipts in English, Spanish and Portuguese print
them: "3 de diciembre de 2026", "3 de dezembro de 2026", "December 3, 2026", "3 Dec 2026",
"03/dic/2026", "03-DEZ-2026". Full names and the usual abbreviations; case and accents
ignored. A word that is no month, or a day the month does not have, is no date."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

_NAMES = {
    1: "january jan enero ene janeiro",
    2: "february feb febrero fevereiro fev",
    3: "march mar marzo marco",
    4: "april apr abril abr",
    5: "may mayo maio mai",
    6: "june jun junio junho",
    7: "july jul julio julho",
    8: "august aug agosto ago",
    9: "september sep sept septiembre setiembre set setembro",
    10: "october oct octubre outubro out",
    11: "november nov noviembre novembro",
    12: "december dec diciembre dic dezembro dez",
}
MONTHS = {word: month for month, words in _NAMES.items() for word in words.split()}

_WORD = r"([^\W\d_]{3,10})"
# 3 de diciembre de 2026 · 3 dezembro 2026 · 03/dic/2026 · 3-Dec-2026 · 3º de março de 2026
_DAY_FIRST = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:º|°|o\b)?\s*(?:de\s+|[/.\-]\s*|\s+){_WORD}\.?"
    r"\s*(?:del?\s+|[/.\-]\s*|,\s*|\s+)(\d{4})(?!\d)",
    re.IGNORECASE,
)
# December 3, 2026 · Dec. 3rd 2026
_MONTH_FIRST = re.compile(
    rf"(?<![^\W\d_]){_WORD}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)",
    re.IGNORECASE,
)


def _month(word: str) -> int | None:
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    return MONTHS.get(plain)


def _date(year: str, month: int | None, day: str) -> date | None:
    if month is None:
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def written_dates(text: str) -> Iterator[tuple[int, date]]:
    """(position in the text, date) of every date written with its month's name."""
    for match in _DAY_FIRST.finditer(text):
        found = _date(match[3], _month(match[2]), match[1])
        if found is not None:
            yield match.start(), found
    for match in _MONTH_FIRST.finditer(text):
        found = _date(match[3], _month(match[1]), match[2])
        if found is not None:
            yield match.start(), found
