"""What one raffle's numbers and orders must look like after concurrent work, checked as a
whole (shared by the concurrency, racing-transition and stateful tests)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from raffles import services
from raffles.models import Order, OrderTicket, Raffle, TicketNumber
from raffles.selectors import raffle_counts
from raffles.services.reservations import retry_on_conflict

AVAILABLE = TicketNumber.Status.AVAILABLE
RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD
PENDING = Order.Status.PENDING_PAYMENT
PAID = Order.Status.PAID


def holds_now(order: Order, now: datetime) -> bool:
    """A live order whose hold still protects its numbers (a proof makes it open-ended)."""
    if order.status == PAID:
        return True
    return order.status == PENDING and (
        order.proof_received_at is not None
        or (order.expires_at is not None and order.expires_at >= now)
    )


def consistency_problems(raffle_id: int, now: datetime | None = None) -> list[str]:
    """Everything wrong with one raffle's numbers and orders (empty list: all good).

    A hold past its time may lose numbers to a new order before the expiry job runs (by
    design), so "holds all its numbers" is only required of orders whose hold is current.
    """
    now = now or timezone.now()
    raffle = Raffle.objects.get(pk=raffle_id)
    orders = {o.pk: o for o in Order.objects.filter(raffle=raffle)}
    listed: dict[int, set[int]] = defaultdict(set)
    for order_id, number in OrderTicket.objects.filter(order__raffle=raffle).values_list(
        "order_id", "number"
    ):
        listed[order_id].add(number)
    held: dict[int, dict[int, str]] = defaultdict(dict)
    problems: list[str] = []
    for number, status, order_id, until in (
        TicketNumber.objects.filter(raffle=raffle)
        .exclude(status=AVAILABLE)
        .values_list("number", "status", "reserved_by_order_id", "reserved_until")
    ):
        order = orders.get(order_id)
        if order is None:
            problems.append(f"#{number} is {status} for order {order_id} of another raffle")
            continue
        held[order_id][number] = status
        if number not in listed[order_id]:
            problems.append(f"#{number} is {status} for {order.code}, which does not list it")
        if status == SOLD and order.status != PAID:
            problems.append(f"#{number} is SOLD to {order.code}, which is {order.status}")
        if status == RESERVED and order.status != PENDING:
            problems.append(f"#{number} is RESERVED for {order.code}, which is {order.status}")
        if status == RESERVED and until is None and order.proof_received_at is None:
            problems.append(f"#{number} is held open-ended for {order.code}, which sent no proof")
        if status == RESERVED and until is not None and until != order.expires_at:
            problems.append(
                f"#{number} hold ends {until}, its order {order.code} at {order.expires_at}"
            )

    holders: dict[int, list[str]] = defaultdict(list)
    for order_id, order in orders.items():
        numbers = listed[order_id]
        if len(numbers) != order.qty:
            problems.append(f"{order.code} has qty {order.qty} but lists {sorted(numbers)}")
        if order.total_amount != raffle.ticket_price * order.qty:
            problems.append(f"{order.code} costs {order.total_amount} for {order.qty} tickets")
        if order.status == PAID and held[order_id] != dict.fromkeys(numbers, SOLD):
            problems.append(f"PAID {order.code} lists {sorted(numbers)}, owns {held[order_id]}")
        if (
            order.status == PENDING
            and holds_now(order, now)
            and held[order_id] != dict.fromkeys(numbers, RESERVED)
        ):
            problems.append(
                f"{order.code} (hold current) lists {sorted(numbers)}, holds {held[order_id]}"
            )
        if order.status not in (PAID, PENDING) and held[order_id]:
            problems.append(f"{order.status} {order.code} still holds {held[order_id]}")
        if holds_now(order, now):
            for number in numbers:
                holders[number].append(f"{order.code}:{order.status}")
    problems += [f"#{n} is in two live orders: {who}" for n, who in holders.items() if len(who) > 1]

    sold = sum(1 for h in held.values() for s in h.values() if s == SOLD)
    paid_qty = sum(o.qty for o in orders.values() if o.status == PAID)
    if sold != paid_qty:
        problems.append(f"{sold} numbers SOLD but PAID orders add up to {paid_qty}")

    # The counts the bot and the portal show (the free ones derived from the range) agree
    # with a tally of every number.
    tally = Counter(
        t.effective_status(now)
        for t in TicketNumber.objects.filter(raffle=raffle).only("status", "reserved_until")
    )
    counted = raffle_counts(raffle, now)
    expected = (tally[AVAILABLE], tally[RESERVED], tally[SOLD])
    if (counted.available, counted.reserved, counted.sold) != expected:
        problems.append(f"raffle_counts says {counted}, the numbers say {expected}")
    return problems


def assert_quiescent_and_consistent(raffle: Raffle) -> None:
    """After the workers stopped and the expiry job ran: every check, and exact counts."""
    now = timezone.now()
    services.expire_reservations(now)
    problems = consistency_problems(raffle.pk, now)
    assert not problems, "\n".join(problems[:30])
    live = Order.objects.filter(raffle=raffle, status=PENDING)
    assert all(o.expires_at >= now or o.proof_received_at for o in live)
    reserved = TicketNumber.objects.filter(raffle=raffle, status=RESERVED).count()
    assert reserved == sum(o.qty for o in live)
    sold = TicketNumber.objects.filter(raffle=raffle, status=SOLD).count()
    assert sold == sum(o.qty for o in Order.objects.filter(raffle=raffle, status=PAID))
    # No number listed by two live (pending or paid) orders.
    twice = (
        OrderTicket.objects.filter(order__raffle=raffle, order__status__in=[PENDING, PAID])
        .values("number")
        .annotate(orders=Count("order"))
        .filter(orders__gt=1)
    )
    assert not twice.exists(), list(twice[:10])


@retry_on_conflict
def let_hold_run_out(order: Order) -> None:
    """Time passes for one order: its hold ends now (what the clock would do in 30 minutes).

    Locks the order, then its numbers: the order the services themselves use.
    """
    past = timezone.now() - timedelta(seconds=1)
    with transaction.atomic():
        if Order.objects.filter(pk=order.pk, status=PENDING, proof_received_at=None).update(
            expires_at=past
        ):
            TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED).update(
                reserved_until=past
            )
