"""Reads only the portal needs (shared reads live in raffles.selectors / messaging).

Status meaning comes from raffles (`raffles.rules`: a number's and an order's effective
status, `raffle_counts`): a hold past its time shows as available everywhere in the portal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.numbers import format_integer
from raffles.audit import EventKind
from raffles.models import Order, OrderEvent, PaymentProof, Raffle, TicketNumber
from raffles.selectors import (
    lapsed_holds,
    proof_queue,
    raffle_counts,
    raffle_money,
)

STATUSES = (
    TicketNumber.Status.AVAILABLE,
    TicketNumber.Status.RESERVED,
    TicketNumber.Status.SOLD,
    TicketNumber.Status.BLOCKED,
)
BLOCK_SIZES = (250, 500, 1000, 2000)
DEFAULT_BLOCK_SIZE = 1000


# --- Dashboard ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RaffleSummary:
    raffle: Raffle
    available: int
    reserved: int
    sold: int
    confirmed: Decimal
    pending: Decimal
    proofs_waiting: int

    @property
    def total(self) -> int:
        return self.available + self.reserved + self.sold


def active_raffle_summaries(now: datetime | None = None) -> list[RaffleSummary]:
    now = now or timezone.now()
    raffles = list(Raffle.objects.filter(status=Raffle.Status.ACTIVE).order_by("-activated_at"))
    waiting = dict(
        proof_queue()
        .filter(order__raffle__in=raffles)
        .order_by()
        .values_list("order__raffle_id")
        .annotate(n=Count("id"))
    )
    out = []
    for raffle in raffles:
        counts = raffle_counts(raffle, now)
        confirmed, pending = raffle_money(raffle)
        out.append(
            RaffleSummary(
                raffle=raffle,
                available=counts.available,
                reserved=counts.reserved,
                sold=counts.sold,
                confirmed=confirmed,
                pending=pending,
                proofs_waiting=waiting.get(raffle.pk, 0),
            )
        )
    return out


def latest_events(limit: int = 15) -> list[OrderEvent]:
    return list(
        OrderEvent.objects.select_related("order", "raffle", "actor_user").order_by("-id")[:limit]
    )


def event_label(kind: str) -> str:
    """The kind's label (`raffles.audit.EventKind`); a kind no longer written, in words."""
    if kind in EventKind.values:
        return str(EventKind(kind).label)
    return kind.replace("_", " ").capitalize()


def describe_event(event: OrderEvent) -> str:
    """One line of detail for an event, from its details."""
    d = event.details or {}
    if event.kind in {"reserved", "reserved_random"} and d.get("numbers") and event.order:
        raffle = event.order.raffle
        return ", ".join(raffle.format_number(n) for n in d["numbers"][:20]) + (
            "…" if len(d["numbers"]) > 20 else ""
        )
    if event.kind == "payment_rejected":
        return str(d.get("reason", ""))
    if event.kind == "proof_received" and d.get("duplicate_of_order"):
        return _("Same file as order %(code)s") % {"code": d["duplicate_of_order"]}
    if event.kind == "paid" and d.get("late"):
        return _("Late payment (after the hold expired)")
    if event.kind in {"cancelled", "expired"} and d.get("released") is not None:
        return _("%(count)s numbers released") % {"count": format_integer(int(d["released"]))}
    if event.kind == "raffle_updated" and d.get("fields"):
        return ", ".join(d["fields"])
    if event.kind.startswith("api_key") and d.get("key_name"):
        return str(d["key_name"])
    return ""


# --- Ticket grid ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    index: int
    start: int
    end: int
    label: str


def blocks_of(raffle: Raffle, size: int) -> list[Block]:
    out = []
    index = 0
    start = raffle.min_number
    while start <= raffle.max_number:
        end = min(start + size - 1, raffle.max_number)
        out.append(
            Block(index, start, end, f"{raffle.format_number(start)}–{raffle.format_number(end)}")
        )
        index += 1
        start = end + 1
    return out


def block_index_of(raffle: Raffle, number: int, size: int) -> int:
    return (number - raffle.min_number) // size


def grid_cells(
    raffle: Raffle, start: int, end: int, status: str = "", now: datetime | None = None
) -> list[tuple[int, str, str]]:
    """(number, zero-padded label, effective status) for each number in [start, end]."""
    now = now or timezone.now()
    tickets = (
        TicketNumber.objects.filter(raffle=raffle, number__gte=start, number__lte=end)
        .only("number", "status", "reserved_until")
        .order_by("number")
    )
    width = raffle.number_width
    cells = []
    for ticket in tickets:
        shown = ticket.effective_status(now)
        if status and shown != status:
            continue
        cells.append((ticket.number, str(ticket.number).zfill(width), shown))
    return cells


def ticket_with_order(raffle: Raffle, number: int) -> TicketNumber | None:
    return (
        TicketNumber.objects.filter(raffle=raffle, number=number)
        .select_related("reserved_by_order", "reserved_by_order__buyer")
        .first()
    )


def number_history(raffle: Raffle, number: int, limit: int = 10) -> list[Order]:
    """Orders that ever held this number, newest first."""
    return list(
        Order.objects.filter(raffle=raffle, order_tickets__number=number)
        .select_related("buyer")
        .order_by("-created_at")[:limit]
    )


# --- Orders -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderFilter:
    q: str = ""
    raffle_id: int | None = None
    status: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> OrderFilter:
        raffle = str(data.get("raffle") or "").strip()
        status = str(data.get("status") or "").strip()
        return cls(
            q=str(data.get("q") or "").strip()[:100],
            raffle_id=int(raffle) if raffle.isdigit() else None,
            status=status if status in Order.Status.values else "",
        )


def search_orders(filters: OrderFilter) -> QuerySet[Order]:
    """Orders matching a code, phone, name or ticket number, newest first."""
    qs = Order.objects.select_related("raffle", "buyer", "confirmed_by")
    if filters.raffle_id:
        qs = qs.filter(raffle_id=filters.raffle_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    q = filters.q
    if q:
        match = Q(code__iexact=q) | Q(buyer__name__icontains=q)
        digits = re.sub(r"[^\d]", "", q)
        if digits and len(digits) >= 4:
            match |= Q(buyer__phone__contains=digits)
        if q.isdigit() and len(q) <= 7:
            numbered = Order.objects.filter(order_tickets__number=int(q))
            if filters.raffle_id:
                numbered = numbered.filter(raffle_id=filters.raffle_id)
            match |= Q(pk__in=numbered.values("pk"))
        if 2 <= len(q) <= 12 and q.isalnum():
            match |= Q(code__istartswith=q)
        qs = qs.filter(match)
    return qs.order_by("-created_at", "-id")


def sold_tickets(raffle: Raffle) -> QuerySet[TicketNumber]:
    return (
        TicketNumber.objects.filter(raffle=raffle, status=TicketNumber.Status.SOLD)
        .select_related("reserved_by_order", "reserved_by_order__buyer")
        .order_by("number")
    )


def order_events(order: Order) -> list[OrderEvent]:
    return list(order.events.select_related("actor_user").order_by("created_at", "id"))


def order_proofs(order: Order) -> list[PaymentProof]:
    return list(
        order.proofs.select_related("duplicate_of__order", "reviewed_by").order_by("received_at")
    )


def hold_state(order: Order, now: datetime | None = None) -> str:
    """How the order's numbers are held, in words."""
    now = now or timezone.now()
    if order.is_paid:
        return _("Paid: the numbers are sold.")
    if order.hold_is_open_ended:
        return _("Held while staff review the payment proof (no expiry).")
    if order.is_holding(now) and order.expires_at is not None:
        minutes = int((order.expires_at - now).total_seconds() // 60)
        until = timezone.localtime(order.expires_at)
        return _("Held for %(minutes)d more minutes (until %(time)s).") % {
            "minutes": minutes,
            "time": until.strftime("%H:%M %Z"),
        }
    if order.hold_ran_out(now):
        return _("The hold has run out; the numbers are free for others until confirmed.")
    if order.is_expired:
        return _(
            "Expired: the numbers were released. Confirming works only if they are still free."
        )
    if order.status == Order.Status.CANCELLED:
        return _("Cancelled: the numbers were released.")
    return order.get_status_display()


def block_taken_counts(
    raffle: Raffle, size: int, now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """{block index: {"SOLD": n, "RESERVED": n}}: grouped counts of the sold numbers and of
    the holds, less the holds past their time (they show as available). Each is an index
    range read without touching the rows; as one `SOLD OR (RESERVED AND …)` query, SQLite
    walks every number of the raffle."""
    from django.db.models import F

    now = now or timezone.now()
    tickets = TicketNumber.objects.filter(raffle=raffle).order_by()
    held = tickets.filter(status=TicketNumber.Status.RESERVED)
    out: dict[int, dict[str, int]] = {}
    for key, qs, sign in (
        ("SOLD", tickets.filter(status=TicketNumber.Status.SOLD), 1),
        ("RESERVED", held, 1),
        ("RESERVED", lapsed_holds(raffle, now).order_by(), -1),
    ):
        rows = (
            qs.annotate(block=(F("number") - raffle.min_number) / size)
            .values_list("block")
            .annotate(n=Count("id"))
        )
        for block, n in rows:
            counts = out.setdefault(int(block), {})
            counts[key] = counts.get(key, 0) + sign * n
    return {
        block: {k: n for k, n in counts.items() if n}
        for block, counts in out.items()
        if any(counts.values())
    }
