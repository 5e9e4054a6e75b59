"""When a person answers buyers (settings.SUPPORT_HOURS), and the next time one will.

    "Mon-Fri 09:00-18:00"                  weekdays, nine to six
    "Mon-Fri 09:00-18:00; Sat 10:00-14:00" several ranges, separated by ";" or ","
    ""                                     always (no opening hours configured)

Times are in the organizer's time zone (settings.TIME_ZONE). Pure: `parse` and
`next_opening` import nothing from Django, so settings can validate the value at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Opening:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time


def _time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    return time(hours, minutes)


def parse(spec: str) -> tuple[Opening, ...]:
    """The openings of a SUPPORT_HOURS value. Raises ValueError, naming the bad part."""
    openings: list[Opening] = []
    for part in re.split(r"[;,]", spec or ""):
        text = part.strip().lower()
        if not text:
            continue
        match = _RANGE.match(text)
        if match is None or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
            raise ValueError(f"{part.strip()!r} is not like 'Mon-Fri 09:00-18:00'")
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"]) if match["last"] else first
        days = frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
        try:
            start, end = _time(match["start"]), _time(match["end"])
        except ValueError:
            raise ValueError(f"{part.strip()!r} has a time that does not exist") from None
        if end <= start:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        openings.append(Opening(days, start, end))
    return tuple(openings)


def next_opening(openings: tuple[Opening, ...], now: datetime, zone: tzinfo) -> datetime | None:
    """None when a person answers now (or no hours are set); else the next opening, in `zone`."""
    if not openings:
        return None
    local = now.astimezone(zone)
    for ahead in range(8):
        day = (local + timedelta(days=ahead)).date()
        starts = []
        for opening in openings:
            if day.weekday() not in opening.days:
                continue
            start = datetime.combine(day, opening.start, zone)
            end = datetime.combine(day, opening.end, zone)
            if start <= local < end:
                return None
            if start > local:
                starts.append(start)
        if starts:
            return min(starts)
    return None  # pragma: no cover - a parsed schedule opens at least once a week


def opens_at(now: datetime) -> datetime | None:
    """The next opening by the settings (SUPPORT_HOURS in TIME_ZONE), or None: open now."""
    from django.conf import settings
    from django.utils import timezone

    openings = parse(settings.SUPPORT_HOURS)
    return next_opening(openings, now, timezone.get_default_timezone()) if openings else None
