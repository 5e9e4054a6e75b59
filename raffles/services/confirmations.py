"""Confirm many orders as paid at once (a bank statement's exact matches): the same result
as `confirm_paid` on each, in a bounded number of statements for the whole batch.

One batch is one transaction. Its orders are locked together (in id order), then the draws
of their raffles (entries frozen?), then their numbers: the order `confirm_paid` locks in, so
the two never deadlock each other. An order whose numbers are all still held by it (the
common case: a transfer that arrived while the hold lasts) is confirmed by the batch's
conditional UPDATEs; any other order (expired, numbers partly gone, entries frozen, no longer
payable) goes through `confirm_paid` itself in a savepoint, which decides it exactly as for a
single order and names the error. Each confirmed order gets its PAID event, the caller's own
event (the line that caused it), and `order_paid` (the receipt)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from raffles import signals
from raffles.audit import EventKind
from raffles.draw_models import Draw
from raffles.exceptions import RaffleError
from raffles.models import Order, OrderEvent, OrderTicket, PaymentProof, TicketNumber
from raffles.services.actors import ActorLike, as_actor
from raffles.services.events import build_event
from raffles.services.orders import confirm_paid

RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD


@dataclass(frozen=True)
class Payment:
    """One order to confirm, and the audit event that says why (kind and details)."""

    order_id: int
    kind: EventKind
    details: dict[str, Any]


@dataclass
class BatchResult:
    confirmed: dict[int, Order] = field(default_factory=dict)  # order id → the paid order
    refused: dict[int, RaffleError] = field(default_factory=dict)  # order id → why not


def _locked(ids: Sequence[int]) -> list[Order]:
    return list(
        Order.objects.select_related("raffle", "raffle__payment_setup", "buyer")
        .select_for_update(of=("self",))
        .prefetch_related(Prefetch("order_tickets", queryset=OrderTicket.objects.order_by()))
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _frozen_raffles(raffle_ids: set[int]) -> set[int]:
    return set(
        Draw.objects.select_for_update()
        .filter(raffle_id__in=raffle_ids, frozen_at__isnull=False)
        .values_list("raffle_id", flat=True)
    )


def _held(ids: Sequence[int]) -> Counter[int]:
    """How many numbers each order holds now."""
    rows = (
        TicketNumber.objects.filter(reserved_by_order_id__in=ids, status=RESERVED)
        .order_by()
        .values("reserved_by_order_id")
        .annotate(n=Count("id"))
    )
    return Counter({r["reserved_by_order_id"]: r["n"] for r in rows})


def _fast(orders: list[Order], by: ActorLike) -> list[tuple[Order, bool]]:
    """The orders the batch UPDATEs confirmed, each with whether it was late (expired); []
    if a race made the numbers disagree (the caller then confirms each on its own)."""
    frozen = _frozen_raffles({o.raffle_id for o in orders})
    payable = [o for o in orders if o.accepts_proof and o.raffle_id not in frozen]
    held = _held([o.pk for o in payable]) if payable else Counter()
    fast = [o for o in payable if held[o.pk] == len(o.numbers()) > 0]
    if not fast:
        return []
    ids = [o.pk for o in fast]
    now = timezone.now()
    user = as_actor(by).user
    with transaction.atomic():
        sold = (
            TicketNumber.objects.filter(reserved_by_order_id__in=ids, status=RESERVED)
            .order_by()
            .update(status=SOLD, reserved_until=None)
        )
        if sold != sum(len(o.numbers()) for o in fast):
            transaction.set_rollback(True)
            return []
        Order.objects.filter(pk__in=ids).update(
            status=Order.Status.PAID, paid_at=now, updated_at=now, confirmed_by=user
        )
        PaymentProof.objects.filter(order_id__in=ids, review=PaymentProof.Review.PENDING).update(
            review=PaymentProof.Review.CONFIRMED, reviewed_at=now, reviewed_by=user
        )
    done = []
    for order in fast:
        done.append((order, order.status == Order.Status.EXPIRED))
        order.status, order.paid_at, order.updated_at = Order.Status.PAID, now, now
        order.confirmed_by = user  # type: ignore[assignment]
    return done


def confirm_paid_many(payments: Sequence[Payment], *, by: ActorLike = None) -> BatchResult:
    """Confirm each payment's order, all in one transaction (the caller's, if any). An order
    named by several payments is confirmed once, with the first one's event."""
    result = BatchResult()
    by_order: dict[int, list[Payment]] = defaultdict(list)
    for payment in payments:
        by_order[payment.order_id].append(payment)
    with transaction.atomic():
        orders = _locked(list(by_order))
        fast = _fast(orders, by)
        events: list[OrderEvent] = []
        for order, late in fast:
            events.append(build_event(kind=EventKind.PAID, by=by, order=order, late=late))
            first = by_order[order.pk][0]
            events.append(build_event(kind=first.kind, by=by, order=order, **first.details))
            result.confirmed[order.pk] = order
        OrderEvent.objects.bulk_create(events)
        for order, _late in fast:
            signals.order_paid.send(sender=Order, order=order)
        done = {o.pk for o, _late in fast}
        for order in orders:
            if order.pk in done:
                continue
            first = by_order[order.pk][0]
            try:
                with transaction.atomic():
                    paid = confirm_paid(order, by=by)
                    OrderEvent.objects.bulk_create(
                        [build_event(kind=first.kind, by=by, order=paid, **first.details)]
                    )
                result.confirmed[order.pk] = paid
            except RaffleError as exc:
                result.refused[order.pk] = exc
    return result
