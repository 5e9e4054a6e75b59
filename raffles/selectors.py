"""Reads shared by the bot, the portal and the API."""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from config.db.rows import model_sql
from raffles.audit import EventKind
from raffles.models import (
    Buyer,
    LinkPayment,
    Order,
    OrderEvent,
    PaymentMethod,
    PaymentProof,
    PaymentSetup,
    Raffle,
    TicketNumber,
    WinnerClaim,
)
from raffles.payments.setup import setup_of
from raffles.rules import WAITING_PAYMENT_SQL, OrderQuerySet
from raffles.selectors_audit import AuditFilter as AuditFilter
from raffles.selectors_audit import Cursor as Cursor
from raffles.selectors_audit import iter_staff_actions as iter_staff_actions
from raffles.selectors_audit import staff_actions_page as staff_actions_page
from raffles.selectors_draws import DrawSummary as DrawSummary
from raffles.selectors_draws import DrawWinner as DrawWinner
from raffles.selectors_draws import buyer_drawn_raffles as buyer_drawn_raffles
from raffles.selectors_draws import draw_summary as draw_summary
from raffles.selectors_draws import early_draw_buyer_ids as early_draw_buyer_ids
from raffles.selectors_draws import early_draw_of as early_draw_of
from raffles.selectors_draws import early_draw_summaries as early_draw_summaries
from raffles.selectors_draws import paid_numbers_by_buyer as paid_numbers_by_buyer
from raffles.selectors_draws import public_draw_url as public_draw_url
from raffles.selectors_draws import public_entries_url as public_entries_url
from raffles.selectors_draws import raffles_drawn_between as raffles_drawn_between
from raffles.selectors_draws import summary_of as summary_of
from raffles.selectors_sales import SalesActivity as SalesActivity
from raffles.selectors_sales import sales_activity as sales_activity
from raffles.statement_models import OPEN_STATES, StatementLine


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
        Raffle.objects.listed()
        .filter(status=Raffle.Status.ACTIVE, generation_status=Raffle.Generation.DONE)
        .filter(Q(sales_close_at__isnull=True) | Q(sales_close_at__gt=now))
        .order_by("sales_close_at", "id")
    )


def lapsed_holds(raffle: Raffle | int, now: datetime) -> QuerySet[TicketNumber]:
    """Holds past their time (free for anyone until the expiry job releases them), oldest
    first. A seek over those alone on `ticket_hold_ends_idx`, (raffle, reserved_until) WHERE
    RESERVED, on both databases; ordered by number instead, SQLite walked every live hold of
    the raffle, a cost growing with every sale. Clear the ordering (`order_by()`) before
    grouping."""
    return TicketNumber.objects.filter(raffle=raffle).lapsed(now).order_by("reserved_until")


def raffle_counts(raffle: Raffle, now: datetime | None = None) -> RaffleCounts:
    """Sold, held and free numbers. A hold past its time counts as free; a number blocked
    from sale is none of them.

    Counts the sold numbers and the holds (index ranges of (raffle, status, number)) less the
    holds past their time (a range of (raffle, reserved_until)), and takes the free ones as
    the rest of the raffle's range, which is fixed once its numbers exist. Counting the free
    numbers themselves would read the whole raffle, on both databases, for every raffle the
    bot shows.
    """
    now = now or timezone.now()
    tickets = TicketNumber.objects.filter(raffle=raffle).order_by()
    # Sold and blocked (kept out of sale) in one read of the status index.
    SOLD, BLOCKED = TicketNumber.Status.SOLD, TicketNumber.Status.BLOCKED
    taken = tickets.filter(status__in=(SOLD, BLOCKED)).aggregate(
        sold=Count("number", filter=Q(status=SOLD)),
        blocked=Count("number", filter=Q(status=BLOCKED)),
    )
    sold, blocked = taken["sold"], taken["blocked"]
    # Every hold (read off the status index alone) less those past their time.
    held = tickets.filter(status=TicketNumber.Status.RESERVED)
    reserved = held.count() - lapsed_holds(raffle, now).count()
    # While the numbers are still being generated, only those made so far.
    done = raffle.generation_status == Raffle.Generation.DONE
    total = raffle.size if done else tickets.count()
    return RaffleCounts(available=total - sold - reserved - blocked, reserved=reserved, sold=sold)


def buyer_orders(buyer: Buyer) -> OrderQuerySet:
    return Order.objects.filter(buyer=buyer).select_related("raffle").order_by("-created_at")


def waiting_order_codes(buyer_id: int, limit: int) -> list[tuple[int, str]]:
    """The buyer's orders waiting for payment, newest first: (id, code) of each. SQL written
    once (`WAITING_PAYMENT_SQL`): the bot asks this of every buyer who writes."""
    with connection.cursor() as cursor:
        cursor.execute(_waiting_orders_sql(), (buyer_id, limit))
        return [(int(pk), str(code)) for pk, code in cursor.fetchall()]


@functools.cache
def _waiting_orders_sql() -> str:
    return model_sql(
        Order,
        "SELECT {id}, {code} FROM {table} WHERE {buyer} = %s AND {waiting}"
        " ORDER BY {created_at} DESC, {id} DESC LIMIT %s",
        waiting=WAITING_PAYMENT_SQL,
    )


def unconfirmed_orders(buyer: Buyer, raffle_id: int, now: datetime) -> QuerySet[Order]:
    """The buyer's unconfirmed orders in one raffle (`Order.is_unconfirmed`), newest first."""
    return (
        Order.objects.filter(buyer=buyer, raffle_id=raffle_id)
        .unconfirmed(now)
        .select_related("raffle")
        .order_by("-created_at", "-id")
    )


def unconfirmed_order_count(buyer: Buyer, raffle_id: int, now: datetime) -> int:
    """How many unconfirmed orders the buyer has in one raffle."""
    return unconfirmed_orders(buyer, raffle_id, now).count()


def buyer_live_order(buyer: Buyer, raffle: Raffle | None = None) -> Order | None:
    """The buyer's most recent order still waiting for payment, if any."""
    qs = buyer_orders(buyer).waiting_payment()
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


def orders_sold_by(user_id: int) -> QuerySet[Order]:
    """Orders a staff member sold: recorded as a sale by them (`Order.sold_by`), or reserved
    by them (the audit row of the reservation names them)."""
    reserved = OrderEvent.objects.filter(
        actor_user_id=user_id,
        kind__in=(EventKind.RESERVED, EventKind.RESERVED_RANDOM),
        order__isnull=False,
    )
    return Order.objects.filter(Q(sold_by_id=user_id) | Q(pk__in=reserved.values("order_id")))


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
        .claimable(now)
        .order_by("number")
        .values_list("number", flat=True)
        .iterator(chunk_size=10_000)
    )


def taken_numbers(raffle: Raffle, now: datetime | None = None) -> Iterator[int]:
    """The numbers nobody can take now (sold, or held by a current hold), ascending,
    streamed in chunks. The sold and the held numbers are two ranges of the status index,
    merged, less the (few) holds past their time: as one `SOLD OR (RESERVED AND …)` query,
    SQLite walked the whole raffle."""
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


# --- What the API lists -------------------------------------------------------------------


def raffle_can_be_deleted(raffle: Raffle) -> bool:
    """Nobody bought from it: no order, no number held or sold. Any other raffle is kept for
    the records (archive it)."""
    if Order.objects.filter(raffle=raffle).exists():
        return False
    taken = TicketNumber.objects.filter(raffle=raffle).exclude(status=TicketNumber.Status.AVAILABLE)
    return not taken.exists()


def title_key(title: str) -> str:
    """A title as compared with others: case and spaces do not count."""
    return " ".join(str(title or "").split()).casefold()


def raffles_titled(title: str, *, exclude_id: int | None = None) -> list[Raffle]:
    """Other raffles (archived ones too) with this title, whatever its case and spacing: a
    duplicate is worth a warning, never a refusal. Compared in Python (SQLite folds only
    ASCII case); an organizer has hundreds of raffles at most, and only titles are read."""
    key = title_key(title)
    if not key:
        return []
    candidates = Raffle.objects.only("id", "title", "status", "archived_at").order_by("-id")
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    return [raffle for raffle in candidates.iterator() if title_key(raffle.title) == key]


def raffle_by_id(raffle_id: int) -> Raffle | None:
    return Raffle.objects.filter(pk=raffle_id).first()


def raffles_listed(
    *, status: str | None = None, selling: bool | None = None, archived: bool = False
) -> QuerySet[Raffle]:
    """Raffles, newest first; `selling`: only those selling now (True) or the others;
    `archived`: the archived ones instead of the others."""
    raffles = Raffle.objects.order_by("-created_at", "-id")
    raffles = raffles.archived() if archived else raffles.listed()
    if status:
        raffles = raffles.filter(status=status)
    if selling is not None:
        now_selling = Q(pk__in=selling_raffles().values("pk"))
        raffles = raffles.filter(now_selling if selling else ~now_selling)
    return raffles


def raffle_tickets(
    raffle: Raffle,
    *,
    number_min: int | None = None,
    number_max: int | None = None,
    showing_as: str | None = None,
    now: datetime | None = None,
) -> QuerySet[TicketNumber]:
    """The raffle's numbers in order; `showing_as`: only those with that effective status."""
    tickets = TicketNumber.objects.filter(raffle=raffle).select_related("raffle")
    if number_min is not None:
        tickets = tickets.filter(number__gte=number_min)
    if number_max is not None:
        tickets = tickets.filter(number__lte=number_max)
    if showing_as:
        tickets = tickets.showing_as(showing_as, now or timezone.now())
    return tickets.order_by("number")


def _orders() -> OrderQuerySet:
    return Order.objects.select_related(
        "raffle", "buyer", "seller_attribution__seller"
    ).prefetch_related("order_tickets")


def orders_listed(
    *,
    status: str | None = None,
    raffle_id: int | None = None,
    buyer_ids: list[int] | None = None,
    code: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Order]:
    """Orders matching every filter given (`buyer_ids`: None for any buyer)."""
    orders = _orders()
    if status:
        orders = orders.filter(status=status)
    if raffle_id:
        orders = orders.filter(raffle_id=raffle_id)
    if buyer_ids is not None:
        orders = orders.filter(buyer_id__in=buyer_ids)
    if code:
        orders = orders.filter(code=code.strip().upper())
    if created_after:
        orders = orders.filter(created_at__gte=created_after)
    if created_before:
        orders = orders.filter(created_at__lt=created_before)
    tiebreak = "-id" if ordering.startswith("-") else "id"
    return orders.order_by(ordering, tiebreak)


def orders_waiting_payment(
    *, raffle_id: int | None = None, with_proof: bool | None = None
) -> QuerySet[Order]:
    """Orders waiting for payment: those whose proof waits for review first (oldest proof
    first), then the rest by age."""
    orders = _orders().waiting_payment()
    if raffle_id:
        orders = orders.filter(raffle_id=raffle_id)
    if with_proof is not None:
        orders = orders.filter(proof_received_at__isnull=not with_proof)
    return orders.order_by(F("proof_received_at").asc(nulls_last=True), "created_at", "id")


def order_detail(order_id: int) -> Order | None:
    """One order with its numbers, proofs and events."""
    return (
        _orders()
        .select_related("confirmed_by", "sold_by")
        .prefetch_related(
            Prefetch("proofs", PaymentProof.objects.select_related("duplicate_of__order")),
            "events",
        )
        .filter(pk=order_id)
        .first()
    )


def order_proof(order_id: int, proof_id: int) -> PaymentProof | None:
    return PaymentProof.objects.filter(pk=proof_id, order_id=order_id).first()


def raffle_claims(raffle: Raffle | int) -> QuerySet[WinnerClaim]:
    """The prize claims of a raffle, first prize first, with their orders and buyers."""
    return (
        WinnerClaim.objects.filter(raffle=raffle)
        .select_related("order", "order__buyer", "raffle")
        .order_by("created_at", "id")
    )


def buyer_claims(buyer: Buyer) -> QuerySet[WinnerClaim]:
    """A buyer's prize claims, newest draw first."""
    return (
        WinnerClaim.objects.filter(order__buyer=buyer)
        .select_related("order", "raffle")
        .order_by("-created_at", "-id")
    )


def takes_payment_links(order: Order) -> bool:
    """The order's raffle takes payment links (`PaymentSetup.methods`). No query when the
    order was read with `raffle__payment_setup`."""
    if Order.raffle.is_cached(order) and Raffle.payment_setup.is_cached(order.raffle):
        return setup_of(order.raffle).accepts(PaymentMethod.PAYMENT_LINK)
    setup = PaymentSetup.objects.filter(raffle_id=order.raffle_id).only("methods").first()
    return setup is not None and setup.accepts(PaymentMethod.PAYMENT_LINK)


def open_statement_lines() -> QuerySet[StatementLine]:
    """Bank statement lines waiting for staff (suggested, flagged, unmatched), oldest
    first, with the orders they name."""
    return (
        StatementLine.objects.filter(state__in=OPEN_STATES)
        .prefetch_related("orders")
        .order_by("date", "id")
    )


def flagged_link_payments() -> QuerySet[LinkPayment]:
    """Payments by link that wait for staff (flagged, not yet marked handled), newest first."""
    return (
        LinkPayment.objects.filter(outcome=LinkPayment.Outcome.FLAGGED, handled_at__isnull=True)
        .select_related("order", "order__raffle")
        .order_by("-created_at", "-id")
    )
