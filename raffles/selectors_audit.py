"""The staff audit log as people read it: staff and API actions, newest first, filtered, in
pages by keyset (the last row's time and id), so page 500 costs what page 1 does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from raffles.models import OrderEvent

# The people whose actions the log lists (the bot, buyers and tasks have their own screens).
STAFF_ACTORS = (OrderEvent.Actor.STAFF, OrderEvent.Actor.API)


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    kind: str = ""
    raffle_id: int | None = None
    since: date | None = None  # first day, in the active time zone
    until: date | None = None  # last day (inclusive), in the active time zone


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's time and id (rows after it are older)."""

    created_at: datetime
    id: int

    def token(self) -> str:
        return f"{self.created_at.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, token: str) -> Cursor | None:
        when, _, pk = token.rpartition("_")
        try:
            created_at = datetime.fromisoformat(when)
            number = int(pk)
        except ValueError:
            return None
        if timezone.is_naive(created_at):
            return None
        return cls(created_at, number)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def staff_actions(filters: AuditFilter) -> QuerySet[OrderEvent]:
    """Staff and API actions matching `filters`, newest first, with what a row shows."""
    events = OrderEvent.objects.filter(actor_type__in=STAFF_ACTORS)
    if filters.user_id is not None:
        events = events.filter(actor_user_id=filters.user_id)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.raffle_id is not None:
        events = events.filter(raffle_id=filters.raffle_id)
    if filters.since is not None:
        events = events.filter(created_at__gte=_day_start(filters.since))
    if filters.until is not None:
        events = events.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    return events.select_related("actor_user", "order", "raffle").order_by("-created_at", "-id")


def staff_actions_page(
    filters: AuditFilter, *, after: Cursor | None = None, size: int = 50
) -> tuple[list[OrderEvent], Cursor | None]:
    """One page of `staff_actions` after `after`, and the cursor of the next page (None on
    the last page)."""
    events = staff_actions(filters)
    if after is not None:
        events = events.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
        )
    rows = list(events[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, Cursor(rows[-1].created_at, rows[-1].pk)


# What one exported row holds (plain values: a 100,000-row export builds no model objects).
EXPORT_FIELDS = (
    "id",
    "created_at",
    "kind",
    "actor_type",
    "actor_label",
    "actor_user__username",
    "order__code",
    "raffle__title",
    "details",
)


def iter_staff_actions(filters: AuditFilter, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching row as `EXPORT_FIELDS` values, newest first, read in keyset pages (a
    CSV of 100,000 rows never sits in memory)."""
    rows = staff_actions(filters).values(*EXPORT_FIELDS)
    after: Cursor | None = None
    while True:
        page = rows
        if after is not None:
            page = rows.filter(
                Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
            )
        batch = list(page[:chunk])
        yield from batch
        if len(batch) < chunk:
            return
        after = Cursor(batch[-1]["created_at"], batch[-1]["id"])
