"""Numbers chosen on the ticket grid, as text: "3, 4, 7-9" (commas, spaces or semicolons
between numbers, a dash for a range). Typed by staff or filled in by the grid's selection."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from raffles.exceptions import InvalidInput

MAX_SELECTED = 2000
_PART = re.compile(r"^(\d{1,7})(?:-(\d{1,7}))?$")


def parse_numbers(text: str, *, limit: int = MAX_SELECTED) -> list[int]:
    """The numbers in `text`, sorted, without repeats. Raises InvalidInput (field
    "numbers") for anything that is not a number or a range, or more than `limit`."""
    found: set[int] = set()
    text = re.sub(r"\s*[-–]\s*", "-", (text or "").strip())
    for part in re.split(r"[,;\s]+", text):
        part = part.strip()
        if not part:
            continue
        match = _PART.match(part)
        if match is None:
            raise InvalidInput(
                _("“%(part)s” is not a number or a range like 7-9.") % {"part": part},
                field="numbers",
            )
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            first, last = last, first
        if last - first + 1 + len(found) > limit:
            raise InvalidInput(
                _("Choose at most %(limit)s numbers at once.") % {"limit": limit},
                field="numbers",
            )
        found.update(range(first, last + 1))
    if not found:
        raise InvalidInput(_("Choose at least one number."), field="numbers")
    return sorted(found)


def format_numbers(numbers: list[int]) -> str:
    """The text form of a selection: "3, 4, 5"."""
    return ", ".join(str(n) for n in numbers)
