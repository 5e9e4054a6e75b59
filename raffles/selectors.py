"""Reads shared by the bot, the portal and the API."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from raffles.models import Buyer, Draw, Order, PaymentProof, Raffle, TicketNumber


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


def lapsed_holds(raffle: Raffle | int, now: datetime) -> QuerySet[TicketNumber]:
    """Holds past their time (free for anyone until the expiry job releases them), oldest
    first. A seek over those alone on `ticket_hold_ends_idx`, (raffle, reserved_until) WHERE
    RESERVED, on both databases; ordered by number instead, SQLite walked every live hold of
    the raffle (4 ms with 20,000 holds, growing with every sale). Clear the ordering
    (`order_by()`) before grouping."""
    return TicketNumber.objects.filter(
        raffle=raffle, status=TicketNumber.Status.RESERVED, reserved_until__lt=now
    ).order_by("reserved_until")


def raffle_counts(raffle: Raffle, now: datetime | None = None) -> RaffleCounts:
    """Sold, held and free numbers. A hold past its time counts as free.

    Counts the sold numbers and the holds (index ranges of (raffle, status, number)) less the
    holds past their time (a range of (raffle, reserved_until)), and takes the free ones as
    the rest of the raffle's range, which is fixed once its numbers exist. Counting the free numbers
    themselves read the whole raffle: 120 ms on SQLite and 65 ms (both cores) on PostgreSQL
    for 1,000,000 numbers, on every raffle the bot showed.
    """
    now = now or timezone.now()
    tickets = TicketNumber.objects.filter(raffle=raffle).order_by()
    sold = tickets.filter(status=TicketNumber.Status.SOLD).count()
    # Every hold (read off the status index alone) less those past their time.
    held = tickets.filter(status=TicketNumber.Status.RESERVED)
    reserved = held.count() - lapsed_holds(raffle, now).count()
    # While the numbers are still being generated, only those made so far.
    done = raffle.generation_status == Raffle.Generation.DONE
    total = raffle.size if done else tickets.count()
    return RaffleCounts(available=total - sold - reserved, reserved=reserved, sold=sold)


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


def available_numbers(raffle: Raffle, now: datetime | None = None) -> Iterator[int]:
    """The numbers a buyer could take now (free, or held past their time), ascending,
    streamed in chunks: a million-number raffle is never loaded into memory at once."""
    now = now or timezone.now()
    return (
        TicketNumber.objects.filter(raffle=raffle)
        .filter(
            Q(status=TicketNumber.Status.AVAILABLE)
            | Q(status=TicketNumber.Status.RESERVED, reserved_until__lt=now)
        )
        .order_by("number")
        .values_list("number", flat=True)
        .iterator(chunk_size=10_000)
    )


def taken_numbers(raffle: Raffle, now: datetime | None = None) -> Iterator[int]:
    """The numbers nobody can take now (sold, or held by a current hold), ascending,
    streamed in chunks. The sold and the held numbers are two ranges of the status index,
    merged, less the (few) holds past their time: as one `SOLD OR (RESERVED AND …)` query,
    SQLite walked the whole raffle (105 ms for 1,000,000 numbers)."""
    now = now or timezone.now()
    tickets = TicketNumber.objects.filter(raffle=raffle).order_by("number")
    held = tickets.filter(status=TicketNumber.Status.RESERVED)
    lapsed = set(lapsed_holds(raffle, now).values_list("number", flat=True))
    streams = (tickets.filter(status=TicketNumber.Status.SOLD), held)
    numbers = (qs.values_list("number", flat=True).iterator(chunk_size=10_000) for qs in streams)
    return (n for n in heapq.merge(*numbers) if n not in lapsed)


def available_ranges(
    raffle: Raffle, counts: RaffleCounts, now: datetime | None = None
) -> list[tuple[int, int]]:
    """The free numbers as ranges, read from whichever side is smaller: the free numbers
    themselves, or (when the range is complete) the taken ones, whose gaps are the free
    ranges. A fresh 1,000,000-number raffle is then one range read from no rows at all."""
    if raffle.generation_status != Raffle.Generation.DONE or counts.available <= counts.total // 2:
        return compact_ranges(available_numbers(raffle, now))
    ranges: list[tuple[int, int]] = []
    start = raffle.min_number
    for number in taken_numbers(raffle, now):
        if number > start:
            ranges.append((start, number - 1))
        start = number + 1
    if start <= raffle.max_number:
        ranges.append((start, raffle.max_number))
    return ranges


def compact_ranges(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """[1,2,3,7,9,10] → [(1,3),(7,7),(9,10)] (numbers sorted ascending)."""
    ranges: list[tuple[int, int]] = []
    for n in numbers:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((n, n))
    return ranges


# --- Draws --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawWinner:
    prize: int  # 1 = first prize
    number: int
    label: str  # zero-padded, as in the frozen list
    order_code: str  # staff only: never on the public page
    buyer_id: int | None  # staff only


@dataclass(frozen=True)
class DrawSummary:
    """A raffle's draw as the bot, the portal, the API and the public page show it.

    `stage` is "committed" (seed committed, sales open or list not frozen), "frozen" (list
    of numbers and its hash published) or "drawn". `seed`, `external_value` and `winners`
    are None / empty until the draw: the seed is never exposed before.
    """

    raffle_id: int
    public_id: str
    stage: str
    method: str
    commitment: str
    committed_at: datetime
    entries_hash: str | None
    entries_count: int | None
    excluded_numbers: tuple[int, ...]
    frozen_at: datetime | None
    seed: str | None
    external_value: str | None
    prizes: int | None
    winners: tuple[DrawWinner, ...]
    drawn_at: datetime | None
    public_url: str
    entries_url: str | None

    @property
    def is_drawn(self) -> bool:
        return self.stage == "drawn"

    def winners_of(self, buyer: Buyer) -> list[DrawWinner]:
        """The prizes this buyer won (empty when none)."""
        return [w for w in self.winners if w.buyer_id == buyer.pk]


def public_draw_url(raffle: Raffle) -> str:
    """The public verification page, absolute (settings.PUBLIC_BASE_URL)."""
    path = reverse("raffles:draw", kwargs={"public_id": raffle.public_id})
    return settings.PUBLIC_BASE_URL + path


def public_entries_url(raffle: Raffle) -> str:
    path = reverse("raffles:draw-entries", kwargs={"public_id": raffle.public_id})
    return settings.PUBLIC_BASE_URL + path


def _draw_winners(raffle: Raffle, draw: Draw) -> tuple[DrawWinner, ...]:
    labels = list(draw.winners)
    tickets = {
        t.number: t
        for t in TicketNumber.objects.filter(
            raffle=raffle, number__in=[int(label) for label in labels]
        ).select_related("reserved_by_order")
    }
    out = []
    for prize, label in enumerate(labels, start=1):
        order = getattr(tickets.get(int(label)), "reserved_by_order", None)
        out.append(
            DrawWinner(
                prize=prize,
                number=int(label),
                label=label,
                order_code=order.code if order else "",
                buyer_id=order.buyer_id if order else None,
            )
        )
    return tuple(out)


def draw_summary(raffle: Raffle) -> DrawSummary | None:
    """The raffle's draw, or None when it has none (a draft raffle)."""
    draw = Draw.objects.filter(raffle_id=raffle.pk).first()
    if draw is None:
        return None
    drawn = draw.is_drawn
    return DrawSummary(
        raffle_id=raffle.pk,
        public_id=raffle.public_id,
        stage="drawn" if drawn else "frozen" if draw.is_frozen else "committed",
        method=draw.method,
        commitment=draw.commitment,
        committed_at=draw.committed_at,
        entries_hash=draw.entries_hash or None,
        entries_count=draw.entries_count,
        excluded_numbers=tuple(sorted(n for item in draw.excluded for n in item["numbers"])),
        frozen_at=draw.frozen_at,
        seed=draw.revealed_seed,
        external_value=draw.external_value if drawn else None,
        prizes=draw.prizes if drawn else None,
        winners=_draw_winners(raffle, draw) if drawn else (),
        drawn_at=draw.drawn_at,
        public_url=public_draw_url(raffle),
        entries_url=public_entries_url(raffle) if draw.is_frozen else None,
    )


def buyer_drawn_raffles(buyer: Buyer) -> QuerySet[Raffle]:
    """Drawn raffles in which the buyer has a paid order, most recent first ("results")."""
    return (
        Raffle.objects.filter(
            status=Raffle.Status.DRAWN,
            orders__buyer=buyer,
            orders__status=Order.Status.PAID,
        )
        .distinct()
        .order_by("-draw__drawn_at", "-id")
    )
