"""Reads shared by the bot, the portal and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from raffles.models import Buyer, Order, PaymentProof, Raffle, TicketNumber


@dataclass(frozen=True)
class RaffleCounts:
    available: int
    reserved: int
    sold: int

    @property
    def total(self) -> int:
        return self.available + self.reserved + self.sold


def selling_raffles() -> QuerySet[Raffle]:
    """Raffles buyers can buy from now."""
    now = timezone.now()
    return (
        Raffle.objects.filter(status=Raffle.Status.ACTIVE, generation_status=Raffle.Generation.DONE)
        .filter(Q(sales_close_at__isnull=True) | Q(sales_close_at__gt=now))
        .order_by("sales_close_at", "id")
    )


def raffle_counts(raffle: Raffle, now: datetime | None = None) -> RaffleCounts:
    """Sold, held and free numbers. A hold past its time counts as free."""
    now = now or timezone.now()
    row = TicketNumber.objects.filter(raffle=raffle).aggregate(
        sold=Count("pk", filter=Q(status=TicketNumber.Status.SOLD)),
        reserved=Count(
            "pk",
            filter=Q(status=TicketNumber.Status.RESERVED)
            & (Q(reserved_until__isnull=True) | Q(reserved_until__gte=now)),
        ),
        total=Count("pk"),
    )
    return RaffleCounts(
        available=row["total"] - row["sold"] - row["reserved"],
        reserved=row["reserved"],
        sold=row["sold"],
    )


def is_claimable(ticket: TicketNumber, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if ticket.status == TicketNumber.Status.AVAILABLE:
        return True
    return (
        ticket.status == TicketNumber.Status.RESERVED
        and ticket.reserved_until is not None
        and ticket.reserved_until < now
    )


def effective_status(ticket: TicketNumber, now: datetime | None = None) -> str:
    """The status a person should see: a hold past its time shows as available."""
    if ticket.status == TicketNumber.Status.RESERVED and is_claimable(ticket, now):
        return TicketNumber.Status.AVAILABLE
    return ticket.status


def buyer_orders(buyer: Buyer) -> QuerySet[Order]:
    return Order.objects.filter(buyer=buyer).select_related("raffle").order_by("-created_at")


def buyer_live_order(buyer: Buyer, raffle: Raffle | None = None) -> Order | None:
    """The buyer's most recent order still waiting for payment, if any."""
    qs = buyer_orders(buyer).filter(status=Order.Status.PENDING_PAYMENT)
    if raffle is not None:
        qs = qs.filter(raffle=raffle)
    return qs.first()


def buyer_paid_numbers(buyer: Buyer) -> dict[Raffle, list[int]]:
    """Paid numbers per raffle, for "my tickets" and receipts."""
    out: dict[Raffle, list[int]] = {}
    for order in (
        buyer_orders(buyer).filter(status=Order.Status.PAID).prefetch_related("order_tickets")
    ):
        out.setdefault(order.raffle, []).extend(t.number for t in order.order_tickets.all())
    return {raffle: sorted(numbers) for raffle, numbers in out.items()}


def proof_queue() -> QuerySet[PaymentProof]:
    """Proofs waiting for staff review, oldest first."""
    return (
        PaymentProof.objects.filter(review=PaymentProof.Review.PENDING)
        .select_related("order", "order__raffle", "order__buyer", "duplicate_of__order")
        .order_by("received_at", "id")
    )


def raffle_money(raffle: Raffle) -> tuple[Decimal, Decimal]:
    """(confirmed, pending) amounts."""
    row = Order.objects.filter(raffle=raffle).aggregate(
        paid=Sum("total_amount", filter=Q(status=Order.Status.PAID)),
        pending=Sum("total_amount", filter=Q(status=Order.Status.PENDING_PAYMENT)),
    )
    return row["paid"] or Decimal(0), row["pending"] or Decimal(0)


def compact_ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """[1,2,3,7,9,10] → [(1,3),(7,7),(9,10)] (numbers sorted ascending)."""
    ranges: list[tuple[int, int]] = []
    for n in numbers:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((n, n))
    return ranges
