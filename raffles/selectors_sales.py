"""A raffle's sales over time, for its charts: numbers sold per day and per hour of the day
(in the active time zone), and money confirmed against money still pending. Aggregated in
the database (SQLite and PostgreSQL alike: Django converts the zone in either)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from raffles.models import Order, Raffle
from raffles.rules import holding_q


@dataclass(frozen=True)
class SalesDay:
    day: date
    numbers: int
    orders: int
    amount: Decimal


@dataclass(frozen=True)
class SalesActivity:
    days: tuple[SalesDay, ...]  # days with sales, oldest first
    hours: tuple[int, ...]  # numbers sold in each hour of the day, 0 to 23
    confirmed: Decimal  # paid orders
    held: Decimal  # holding numbers, no proof yet
    in_review: Decimal  # holding numbers, proof waiting for review
    zone: str

    @property
    def pending(self) -> Decimal:
        return self.held + self.in_review

    @property
    def numbers_sold(self) -> int:
        return sum(self.hours)


def sales_activity(
    raffle: Raffle | int, *, now: datetime | None = None, zone: tzinfo | None = None
) -> SalesActivity:
    """Sales of a raffle by the day and hour they were paid (`zone`: the active time zone
    by default), and its money: confirmed, and pending (held or in review) at `now`."""
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    raffle_id = raffle if isinstance(raffle, int) else raffle.pk
    orders = Order.objects.filter(raffle_id=raffle_id)
    paid = orders.filter(status=Order.Status.PAID, paid_at__isnull=False)
    per_day = (
        paid.annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day")
        .annotate(sold=Sum("qty"), count=Count("id"), amount=Sum("total_amount"))
        .order_by("day")
    )
    per_hour = (
        paid.annotate(hour=ExtractHour("paid_at", tzinfo=zone))
        .values("hour")
        .annotate(sold=Sum("qty"))
        .order_by("hour")
    )
    hours = [0] * 24
    for row in per_hour:
        hours[int(row["hour"])] = int(row["sold"] or 0)
    holding = holding_q(now)
    money = orders.aggregate(
        confirmed=Sum("total_amount", filter=Q(status=Order.Status.PAID)),
        held=Sum("total_amount", filter=holding & Q(proof_received_at__isnull=True)),
        in_review=Sum("total_amount", filter=holding & Q(proof_received_at__isnull=False)),
    )
    return SalesActivity(
        days=tuple(
            SalesDay(
                day=row["day"],
                numbers=int(row["sold"] or 0),
                orders=int(row["count"]),
                amount=Decimal(row["amount"] or 0),
            )
            for row in per_day
        ),
        hours=tuple(hours),
        confirmed=Decimal(money["confirmed"] or 0),
        held=Decimal(money["held"] or 0),
        in_review=Decimal(money["in_review"] or 0),
        zone=str(zone),
    )
