"""Reserving numbers: all-or-nothing, enforced by the write itself.

A number is claimed by one conditional UPDATE whose row count is checked, inside one
transaction:

    UPDATE ticket SET status='RESERVED', reserved_by_order=…, reserved_until=…
     WHERE raffle=… AND number IN (…)
       AND (status='AVAILABLE' OR (status='RESERVED' AND reserved_until < now))

so a hold past its time never blocks another buyer, even before the expiry job runs, and two
orders can never hold one number (the unique (raffle, number) row can only be in one state).
No lock is taken on the raffle row: buyers of different numbers never wait for each other on
PostgreSQL. SQLite serialises writers itself (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from raffles import signals
from raffles.exceptions import (
    BuyerLimitExceeded,
    DuplicateNumbers,
    NotEnoughNumbers,
    NumbersOutOfRange,
    NumbersTaken,
    QuantityOutOfBounds,
    RaffleNotActive,
    RaffleNotFound,
)
from raffles.models import Buyer, Order, OrderEvent, Raffle, TicketNumber, new_order_code
from raffles.selectors import lapsed_holds
from raffles.services import sql
from raffles.services.actors import ActorLike, as_actor
from raffles.services.events import log_event

logger = logging.getLogger(__name__)

AVAILABLE = TicketNumber.Status.AVAILABLE
RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD
_rng = random.SystemRandom()


def claimable(now: datetime) -> Q:
    """Tickets a new order may take: free, or held by a hold whose time has passed."""
    return Q(status=AVAILABLE) | Q(status=RESERVED, reserved_until__lt=now)


def retry_on_conflict[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Re-run a whole transaction that PostgreSQL aborted for a deadlock or serialization
    failure (two orders touching the same rows in different orders). Never hides domain
    errors; gives up after a few tries."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(8):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                cause = getattr(exc, "__cause__", None)
                sqlstate = getattr(cause, "sqlstate", None)
                if sqlstate not in {"40P01", "40001"} or attempt == 7:
                    raise
                logger.info("retrying %s after %s", func.__name__, sqlstate)
        raise AssertionError("unreachable")

    return wrapper


def _load_raffle(raffle_id: int) -> Raffle:
    if isinstance(raffle_id, bool) or not isinstance(raffle_id, int):
        try:
            raffle_id = int(raffle_id)
        except (ValueError, TypeError):
            raise RaffleNotFound() from None
    if not 0 < raffle_id < 2**63:
        raise RaffleNotFound()
    raffle = sql.get(Raffle, raffle_id)
    if raffle is None:
        raise RaffleNotFound()
    if not raffle.is_active:
        raise RaffleNotActive(f"“{raffle.title}” is not selling tickets right now")
    return raffle


def _check_qty(raffle: Raffle, qty: int) -> None:
    if qty < 1 or qty > raffle.max_tickets_per_order:
        raise QuantityOutOfBounds(qty, raffle.max_tickets_per_order)


def held_by_buyer(raffle: Raffle, buyer: Buyer, now: datetime) -> int:
    """Tickets of this raffle the buyer holds: paid, or in a live order still holding."""
    live = Q(status=Order.Status.PAID) | Q(
        Q(proof_received_at__isnull=False) | Q(expires_at__gte=now),
        status=Order.Status.PENDING_PAYMENT,
    )
    total = Order.objects.filter(live, raffle=raffle, buyer=buyer).aggregate(n=Sum("qty"))["n"]
    return int(total or 0)


def _check_buyer_limit(raffle: Raffle, buyer: Buyer, qty: int, now: datetime) -> None:
    limit = raffle.max_tickets_per_buyer
    if limit is None:
        return
    # One buyer's orders take turns here, so two cannot both pass the check (PostgreSQL;
    # SQLite serialises writers). NO KEY UPDATE: inserting an order that points here still can.
    list(Buyer.objects.select_for_update(no_key=True).filter(pk=buyer.pk).values_list("pk"))
    already = held_by_buyer(raffle, buyer, now)
    if already + qty > limit:
        raise BuyerLimitExceeded(limit, already, qty)


def _prepare(
    raffle: Raffle, buyer: Buyer, qty: int, now: datetime, kind: str, by: ActorLike
) -> tuple[Order, OrderEvent]:
    """The order and its audit event, built before the transaction so that as little
    Python as possible runs while SQLite's single write lock is held."""
    order = Order(
        raffle=raffle,
        buyer=buyer,
        qty=qty,
        total_amount=raffle.price_for(qty),
        status=Order.Status.PENDING_PAYMENT,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(minutes=raffle.reservation_minutes),
    )
    actor = as_actor(by or buyer)
    event = OrderEvent(
        kind=kind,
        raffle_id=raffle.pk,
        actor_type=actor.type,
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.label,
        created_at=now,
    )
    return order, event


def _insert_and_claim(
    order: Order, numbers: list[int], now: datetime, event: OrderEvent | None = None
) -> list[int]:
    """Insert the order and claim the numbers (recording them and the event too when every
    number was taken and the database can do it in the same statement: `event.pk` is set)."""
    if event is not None:
        event.details = _details(order, numbers)
    for _ in range(10):
        got = sql.insert_and_claim(order, numbers, now, event)
        if got is not None:
            return got
        order.code = new_order_code()  # that code was taken: nothing was written
    raise RuntimeError("could not allocate a unique order code")


def _claimable_numbers(raffle: Raffle, now: datetime) -> list[QuerySet[TicketNumber]]:
    """Claimable tickets as two index-friendly querysets: free ones, and holds past their
    time. One `status = A OR (status = B AND …)` query ordered by number made PostgreSQL
    scan the raffle (55 ms in a 1,000,000-number raffle); the first is a seek on (raffle,
    status, number), the second on the holds' (raffle, reserved_until) alone."""
    return [
        TicketNumber.objects.filter(raffle=raffle, status=AVAILABLE),
        lapsed_holds(raffle, now),
    ]


# Holds past their time looked at when offering nearby numbers. The expiry job frees them
# every minute, so there are rarely more; past this many, some are not offered.
EXPIRED_OFFER_CAP = 1000


def nearest_free(raffle: Raffle, around: Iterable[int], limit: int = 5) -> list[int]:
    """Up to `limit` claimable numbers closest to the given ones (to offer instead)."""
    now = timezone.now()
    wanted = sorted(set(around))
    free, lapsed = (qs.exclude(number__in=wanted) for qs in _claimable_numbers(raffle, now))
    found: set[int] = set()
    for number in wanted[:3]:
        above = free.filter(number__gt=number).order_by("number")[:limit]
        below = free.filter(number__lt=number).order_by("-number")[:limit]
        found.update(above.values_list("number", flat=True))
        found.update(below.values_list("number", flat=True))
    found.update(lapsed.values_list("number", flat=True)[:EXPIRED_OFFER_CAP])
    return sorted(found, key=lambda n: (min(abs(n - w) for w in wanted), n))[:limit]


def _details(order: Order, numbers: list[int]) -> dict[str, Any]:
    return {"numbers": numbers, "expires_at": str(order.expires_at)}


def _finish(order: Order, event: OrderEvent, numbers: list[int]) -> Order:
    if event.pk is None:  # not recorded with the claim
        event.order_id = order.pk
        event.details = _details(order, numbers)
        sql.record(order, numbers, event)
    signals.order_reserved.send(sender=Order, order=order)
    return order


@retry_on_conflict
def reserve_specific(
    raffle_id: int, numbers: Iterable[int], buyer: Buyer, *, by: ActorLike = None
) -> Order:
    """Reserve exactly these numbers for the buyer, or nothing.

    Raises NumbersTaken (with the taken numbers and nearby free ones), NumbersOutOfRange,
    DuplicateNumbers, QuantityOutOfBounds, BuyerLimitExceeded, RaffleNotActive.
    """
    requested = list(numbers)
    raffle = _load_raffle(raffle_id)
    duplicates = sorted({n for n in requested if requested.count(n) > 1})
    if duplicates:
        raise DuplicateNumbers(duplicates)
    out_of_range = [n for n in requested if not raffle.min_number <= n <= raffle.max_number]
    if out_of_range:
        raise NumbersOutOfRange(sorted(out_of_range), raffle.min_number, raffle.max_number)
    _check_qty(raffle, len(requested))
    wanted = sorted(requested)
    now = timezone.now()
    order, event = _prepare(raffle, buyer, len(wanted), now, "reserved", by)
    with transaction.atomic():
        _check_buyer_limit(raffle, buyer, len(wanted), now)
        got = _insert_and_claim(order, wanted, now, event)
        if len(got) == len(wanted):
            return _finish(order, event, wanted)
        transaction.set_rollback(True)
    taken = sorted(set(wanted).difference(got))
    raise NumbersTaken(taken, nearest_free(raffle, taken))


def _probe_numbers(raffle: Raffle, want: int, exclude: set[int], now: datetime) -> list[int]:
    """Find up to `want` claimable numbers with index seeks from random starting points.

    Each probe is `… WHERE number >= start ORDER BY number LIMIT 1` on the (raffle, status,
    number) index, so the cost depends on `want`, not on the size of the raffle; all the
    probes of one call go in one statement.
    """
    found: list[int] = []
    seen = set(exclude)
    starts = [_rng.randint(raffle.min_number, raffle.max_number) for _ in range(want * 2)]
    wrapped = False
    for number in sql.probe(raffle.pk, starts):
        if number is None:
            wrapped = True  # a start past the last free number: wrap to the lowest ones
        elif number not in seen and len(found) < want:
            seen.add(number)
            found.append(number)
    if len(found) < want and wrapped:
        for number in sql.probe(raffle.pk, [raffle.min_number]):
            if number is not None and number not in seen:
                seen.add(number)
                found.append(number)
    if len(found) < want:
        # Few numbers left (or many probes collided): take what remains, holds past their
        # time included, skipping those already picked.
        free, expired = _claimable_numbers(raffle, now)
        for rest in (free.order_by("number"), expired):
            rest = rest.exclude(number__in=seen)
            found.extend(rest.values_list("number", flat=True)[: want - len(found)])
            seen.update(found)
    return found


def remaining_count(raffle: Raffle, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(qs.count() for qs in _claimable_numbers(raffle, now))


@retry_on_conflict
def reserve_random(raffle_id: int, qty: int, buyer: Buyer, *, by: ActorLike = None) -> Order:
    """Reserve `qty` numbers picked at random, or nothing (NotEnoughNumbers says how many
    remain). Costs O(qty) index seeks, never a scan of the raffle."""
    raffle = _load_raffle(raffle_id)
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise QuantityOutOfBounds(0, raffle.max_tickets_per_order)
    _check_qty(raffle, qty)
    now = timezone.now()
    order, event = _prepare(raffle, buyer, qty, now, "reserved_random", by)
    candidates = _probe_numbers(raffle, qty, set(), now)  # before the write lock: a read
    if candidates:
        with transaction.atomic():
            _check_buyer_limit(raffle, buyer, qty, now)
            whole = len(candidates) == qty  # the event can be recorded with the claim
            mine = _insert_and_claim(order, sorted(candidates), now, event if whole else None)
            for _ in range(6):
                if len(mine) == qty:
                    return _finish(order, event, sorted(mine))
                # Someone took some of them meanwhile: look again, keep what we hold.
                candidates = _probe_numbers(raffle, qty - len(mine), set(mine), now)
                if not candidates:
                    break
                mine += sql.claim(raffle.pk, candidates, order.pk, order.expires_at, now)
            transaction.set_rollback(True)
    raise NotEnoughNumbers(qty, remaining_count(raffle))


def release_order_reservations(order: Order) -> int:
    """Free every number this order still holds (not sold ones). Returns how many."""
    return (
        TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED)
        .order_by()
        .update(status=AVAILABLE, reserved_by_order=None, reserved_until=None)
    )


def expire_reservations(now: datetime | None = None) -> int:
    """Mark orders whose hold ran out (and that sent no proof) EXPIRED, free their numbers
    and record the event, each exactly once (a conditional UPDATE on the order's status), so
    concurrent or late runs of the scheduled job are harmless. Returns how many expired."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            expires_at__lt=now,
        )
        .order_by("expires_at")
        .values_list("pk", flat=True)[:5000]
    )
    expire = retry_on_conflict(expire_order)
    return sum(expire(pk, now) for pk in due)


def expire_order(pk: int, now: datetime) -> int:
    """Expire one order whose hold ran out and that sent no proof: 1 if this call did it."""
    with transaction.atomic():
        won = Order.objects.filter(
            pk=pk,
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            expires_at__lt=now,
        ).update(status=Order.Status.EXPIRED, closed_at=now, updated_at=now)
        if not won:
            return 0
        order = Order.objects.select_related("raffle", "buyer").get(pk=pk)
        released = release_order_reservations(order)
        log_event(kind="expired", order=order, released=released)
        signals.order_expired.send(sender=Order, order=order)
    return 1


def send_expiry_reminders(now: datetime | None = None) -> int:
    """Signal `order_expiring_soon` once per order, some minutes before its hold ends
    (settings.RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY), when no proof was sent."""
    now = now or timezone.now()
    minutes = settings.RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY
    if minutes <= 0:
        return 0
    due = list(
        Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            reminder_sent_at__isnull=True,
            expires_at__gte=now,
            expires_at__lte=now + timedelta(minutes=minutes),
        ).values_list("pk", flat=True)[:5000]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            if not Order.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            order = Order.objects.select_related("raffle", "buyer").get(pk=pk)
            log_event(kind="reminder", order=order)
            signals.order_expiring_soon.send(sender=Order, order=order)
            sent += 1
    return sent
