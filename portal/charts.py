"""Bar charts drawn on the server as inline SVG (no script, nothing fetched: the portal's
CSP stays strict). This module only lays bars out; the templates draw them and give each
chart a text alternative (an accessible name and the same numbers as a table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.dateformat import format as date_format

from raffles.selectors_sales import SalesActivity

WIDTH = 360  # the viewBox; the picture scales to its container
HEIGHT = 150
AXIS = 16  # room under the bars for the labels
GAP = 0.2  # of each slot, between bars


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class Segment:
    key: str
    amount: Decimal
    x: float
    width: float


def bars(values: Sequence[tuple[str, int]], *, every: int = 1) -> list[Bar]:
    """Vertical bars for (label, value) pairs scaled to the largest; every `every`-th label
    is printed under its bar."""
    if not values:
        return []
    top = max(max(v for _, v in values), 1)
    slot = WIDTH / len(values)
    room = HEIGHT - AXIS
    laid = []
    for i, (label, value) in enumerate(values):
        height = room * value / top
        laid.append(
            Bar(
                label=label,
                value=value,
                x=round(i * slot + slot * GAP / 2, 2),
                y=round(room - height, 2),
                width=round(slot * (1 - GAP), 2),
                height=round(height, 2),
                show_label=i % every == 0,
            )
        )
    return laid


def daily_values(activity: SalesActivity) -> list[tuple[date, int]]:
    """Numbers sold on each day from the first sale to the last, days without sales as 0."""
    if not activity.days:
        return []
    sold = {d.day: d.numbers for d in activity.days}
    first, last = activity.days[0].day, activity.days[-1].day
    count = (last - first).days + 1
    days = [first + timedelta(days=i) for i in range(count)]
    return [(day, sold.get(day, 0)) for day in days]


def day_bars(activity: SalesActivity) -> list[Bar]:
    values = [(date_format(day, "j M"), n) for day, n in daily_values(activity)]
    return bars(values, every=max(1, len(values) // 10))


def hour_bars(activity: SalesActivity) -> list[Bar]:
    return bars([(f"{h:02d}", n) for h, n in enumerate(activity.hours)], every=3)


def money_segments(activity: SalesActivity) -> list[Segment]:
    """One horizontal bar split into confirmed, in review and held money."""
    parts = [
        ("confirmed", activity.confirmed),
        ("in_review", activity.in_review),
        ("held", activity.held),
    ]
    total = sum((amount for _, amount in parts), Decimal(0))
    if not total:
        return []
    x = 0.0
    segments = []
    for key, amount in parts:
        width = round(float(amount / total) * WIDTH, 2)
        segments.append(Segment(key=key, amount=amount, x=round(x, 2), width=width))
        x += width
    return segments
