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

The hot path (`raffles.services.sql`) sends its statements through the driver: on SQLite one
short write transaction, on PostgreSQL one statement that writes the order, its numbers and
its audit event or nothing. The raffle is kept in memory between reservations (`_known`);
the columns a reservation depends on are compared inside that write, so a raffle changed
since it was read is read again, never sold from. `order_reserved` is sent once the
reservation is written (after its own transaction; inside the caller's, if there is one).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.base import ModelState
from django.utils import timezone

from raffles import signals, writelock
from raffles.exceptions import (
    BuyerLimitExceeded,
    DuplicateNumbers,
    NotEnoughNumbers,
    NumbersOutOfRange,
    NumbersTaken,
    QuantityOutOfBounds,
    RaffleError,
    RaffleNotActive,
    RaffleNotFound,
)
from raffles.models import Buyer, Order, Raffle, TicketNumber, new_order_code
from raffles.selectors import lapsed_holds
from raffles.services import sql
from raffles.services.actors import ActorLike, as_actor
from raffles.services.events import log_event

logger = logging.getLogger(__name__)

AVAILABLE = TicketNumber.Status.AVAILABLE
RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD


def claimable(now: datetime) -> Q:
    """Tickets a new order may take: free, or held by a hold whose time has passed."""
    return Q(status=AVAILABLE) | Q(status=RESERVED, reserved_until__lt=now)


def one_at_a_time[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """On SQLite, run the whole call in the thread's turn among its process's threads
    (`writelock.take_turn`): the write is one at a time anyway, and threads that interleave
    their Python around it cost more in GIL handovers than they gain. Other processes are
    not held up: they wait only for the write itself. Does nothing on PostgreSQL."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        turn = writelock.take_turn(_db())
        try:
            return func(*args, **kwargs)
        finally:
            if turn:
                writelock.release()

    return wrapper


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


def _raffle_pk(raffle_id: object) -> int:
    if isinstance(raffle_id, bool) or not isinstance(raffle_id, int):
        try:
            raffle_id = int(raffle_id)  # type: ignore[call-overload]
        except (ValueError, TypeError):
            raise RaffleNotFound() from None
    if not 0 < raffle_id < 2**63:
        raise RaffleNotFound()
    return raffle_id


# Raffles as last read, with their terms (see sql.TERMS): per process, shared by its
# threads (a dict's get and set are atomic). Never handed out: callers get copies.
_known: dict[int, tuple[Raffle, str]] = {}
KNOWN_CAP = 512


def _known_raffle(pk: int, fresh: bool) -> tuple[Raffle, str]:
    """The raffle and its terms: from memory, or read now (`fresh`, or not known yet)."""
    found = None if fresh else _known.get(pk)
    if found is None:
        found = sql.load_raffle(pk)
        if found is None:
            _known.pop(pk, None)
            raise RaffleNotFound()
        if len(_known) >= KNOWN_CAP:
            _known.clear()
        _known[pk] = found
    return found


def _copy(raffle: Raffle) -> Raffle:
    """A private copy of a known raffle (its fields; no cached relations)."""
    copy = Raffle.__new__(Raffle)
    copy.__dict__.update(raffle.__dict__)
    copy._state = ModelState()
    copy._state.adding = False
    copy._state.db = raffle._state.db
    return copy


def _checked(pk: int, fresh: bool, check: Callable[[Raffle], None]) -> tuple[Raffle, str]:
    """The raffle, after `check` (which raises the domain's errors) passed on it. A failure
    on the copy in memory is confirmed on a fresh read before it is raised."""
    raffle, terms = _known_raffle(pk, fresh)
    try:
        if not raffle.is_active:
            raise RaffleNotActive(f"“{raffle.title}” is not selling tickets right now")
        check(raffle)
    except RaffleError:
        if fresh:
            raise
        return _checked(pk, True, check)
    return raffle, terms


def _db() -> Any:
    return connections[DEFAULT_DB_ALIAS]


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


def _hold(
    raffle: Raffle,
    buyer: Buyer,
    numbers: list[int],
    kind: str,
    by: ActorLike,
    *,
    random_qty: int = 0,
) -> sql.Hold:
    """Everything one reservation writes, prepared before any lock is taken. With
    `random_qty` (PostgreSQL), the statement picks that many numbers itself."""
    now = timezone.now()
    until = now + timedelta(minutes=raffle.reservation_minutes)
    actor = as_actor(by or buyer)
    return sql.Hold(
        raffle_id=raffle.pk,
        buyer_id=buyer.pk,
        numbers=numbers,
        total=raffle.price_for(random_qty or len(numbers)),
        code=new_order_code(),
        now=now,
        until=until,
        kind=kind,
        actor_type=actor.type,
        actor_user_id=getattr(actor.user, "pk", None),
        actor_label=actor.label,
        starts=(
            _random_starts(raffle.min_number, raffle.max_number, random_qty * 2)
            if random_qty
            else None
        ),
        qty=random_qty,
    )


def _write(raffle: Raffle, terms: str, buyer: Buyer, hold: sql.Hold) -> sql.Outcome:
    """Write the hold: all of it or nothing. Without a buyer limit that is `sql.reserve`
    alone (one statement on PostgreSQL, one short write transaction on SQLite), or a
    savepoint in the caller's transaction on SQLite; with a limit, one transaction that
    checks the limit first."""
    limit = raffle.max_tickets_per_buyer
    connection = _db()
    alone = limit is None and (connection.vendor == "postgresql" or not connection.in_atomic_block)
    for _ in range(10):
        if alone:
            outcome = sql.reserve(hold, terms)
        else:
            with transaction.atomic():
                if limit is not None:
                    _check_buyer_limit(raffle, buyer, hold.count, hold.now)
                outcome = sql.reserve(hold, terms)
                if outcome.order_id is None:
                    transaction.set_rollback(True)
        if not outcome.code_taken:
            return outcome
        hold.code = new_order_code()  # that code was taken: nothing was written
    raise RuntimeError("could not allocate a unique order code")


_ORDER_FIELDS = tuple(f.attname for f in Order._meta.concrete_fields)
_RAFFLE, _BUYER = Order._meta.get_field("raffle"), Order._meta.get_field("buyer")


def _reserved(raffle: Raffle, buyer: Buyer, hold: sql.Hold, order_id: int) -> Order:
    """The order just written, as the ORM would read it back; then tell whoever listens."""
    values = {
        "id": order_id,
        "code": hold.code,
        "raffle_id": hold.raffle_id,
        "buyer_id": hold.buyer_id,
        "qty": len(hold.numbers),
        "total_amount": hold.total,
        "status": Order.Status.PENDING_PAYMENT,
        "created_at": hold.now,
        "updated_at": hold.now,
        "expires_at": hold.until,
    }
    order = Order.from_db(raffle._state.db, None, [values.get(n) for n in _ORDER_FIELDS])
    _RAFFLE.set_cached_value(order, _copy(raffle))
    _BUYER.set_cached_value(order, buyer)
    # Robust: the reservation is already written, so a failing receiver must not turn it
    # into an error for the caller.
    for receiver, result in signals.order_reserved.send_robust(sender=Order, order=order):
        if isinstance(result, Exception):
            logger.error("order_reserved receiver %r failed", receiver, exc_info=result)
    return order


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
    """Up to `limit` claimable numbers closest to the given ones (to offer instead): free
    ones on either side of the first three, and holds past their time. One statement."""
    wanted = sorted(set(around))
    if not wanted:
        return []
    found = set(
        sql.nearby(
            raffle.pk,
            wanted[:3],
            per_side=limit + len(wanted),
            lapsed=EXPIRED_OFFER_CAP + len(wanted),
            now=timezone.now(),
        )
    )
    found.difference_update(wanted)
    return sorted(found, key=lambda n: (min(abs(n - w) for w in wanted), n))[:limit]


@one_at_a_time
@retry_on_conflict
def reserve_specific(
    raffle_id: int, numbers: Iterable[int], buyer: Buyer, *, by: ActorLike = None
) -> Order:
    """Reserve exactly these numbers for the buyer, or nothing.

    Raises NumbersTaken (with the taken numbers and nearby free ones), NumbersOutOfRange,
    DuplicateNumbers, QuantityOutOfBounds, BuyerLimitExceeded, RaffleNotActive.
    """
    requested = list(numbers)
    pk = _raffle_pk(raffle_id)

    def check(raffle: Raffle) -> None:
        duplicates = sorted({n for n in requested if requested.count(n) > 1})
        if duplicates:
            raise DuplicateNumbers(duplicates)
        out = [n for n in requested if not raffle.min_number <= n <= raffle.max_number]
        if out:
            raise NumbersOutOfRange(sorted(out), raffle.min_number, raffle.max_number)
        _check_qty(raffle, len(requested))

    wanted = sorted(requested)
    fresh = False
    for _ in range(5):
        raffle, terms = _checked(pk, fresh, check)
        hold = _hold(raffle, buyer, wanted, "reserved", by)
        outcome = _write(raffle, terms, buyer, hold)
        if outcome.order_id is not None:
            return _reserved(raffle, buyer, hold, outcome.order_id)
        if not outcome.stale:
            taken = sorted(set(wanted).difference(outcome.claimable))
            raise NumbersTaken(taken, nearest_free(raffle, taken))
        fresh = True  # the raffle changed since it was read: read it again
    raise RaffleNotActive(f"“{raffle.title}” is being changed; please try again")


def _random_starts(low: int, high: int, count: int) -> list[int]:
    """`count` numbers from low to high, from the system's random source in one call (64
    random bits each: the bias of taking them modulo at most 1,000,000 is below 1e-13)."""
    span = high - low + 1
    data = secrets.token_bytes(8 * count)
    return [low + int.from_bytes(data[i : i + 8]) % span for i in range(0, 8 * count, 8)]


def _probe_numbers(raffle: Raffle, want: int, exclude: set[int], now: datetime) -> list[int]:
    """Find up to `want` claimable numbers with index seeks from random starting points.

    Each probe is `… WHERE number >= start ORDER BY number LIMIT 1` on the (raffle, status,
    number) index, so the cost depends on `want`, not on the size of the raffle; all the
    probes of one call go in one statement.
    """
    found: list[int] = []
    seen = set(exclude)
    starts = _random_starts(raffle.min_number, raffle.max_number, want * 2)
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


@one_at_a_time
@retry_on_conflict
def reserve_random(raffle_id: int, qty: int, buyer: Buyer, *, by: ActorLike = None) -> Order:
    """Reserve `qty` numbers picked at random, or nothing (NotEnoughNumbers says how many
    remain). Costs O(qty) index seeks, never a scan of the raffle."""
    pk = _raffle_pk(raffle_id)

    def check(raffle: Raffle) -> None:
        if isinstance(qty, bool) or not isinstance(qty, int):
            raise QuantityOutOfBounds(0, raffle.max_tickets_per_order)
        _check_qty(raffle, qty)

    fresh = False
    keep: list[int] = []  # picked numbers that were still free when the last try failed
    # PostgreSQL picks and claims in one statement; when that finds too few free numbers
    # (a raffle nearly sold out), the picks are made here instead, lapsed holds included.
    in_one = _db().vendor == "postgresql"
    for _ in range(12):
        raffle, terms = _checked(pk, fresh, check)
        if in_one:
            hold = _hold(raffle, buyer, [], "reserved_random", by, random_qty=qty)
        else:
            now = timezone.now()
            picked = keep + _probe_numbers(raffle, qty - len(keep), set(keep), now)
            if len(picked) < qty:
                break
            hold = _hold(raffle, buyer, sorted(picked), "reserved_random", by)
        outcome = _write(raffle, terms, buyer, hold)
        if outcome.order_id is not None:
            return _reserved(raffle, buyer, hold, outcome.order_id)
        if outcome.short:
            in_one = False
            continue
        fresh = outcome.stale
        # Someone took some of them meanwhile: keep the rest, pick again for those.
        keep = [] if outcome.stale or in_one else list(outcome.claimable)
    raise NotEnoughNumbers(qty, remaining_count(_known_raffle(pk, True)[0]))


def release_order_reservations(order: Order) -> int:
    """Free every number this order still holds (not sold ones). Returns how many."""
    return (
        TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED)
        .order_by()
        .update(status=AVAILABLE, reserved_by_order=None, reserved_until=None)
    )


def expire_reservations(
    now: datetime | None = None, *, ended_before: datetime | None = None
) -> int:
    """Mark orders whose hold ran out (and that sent no proof) EXPIRED, free their numbers
    and record the event, each exactly once (a conditional UPDATE on the order's status), so
    concurrent or late runs of the scheduled job are harmless. Returns how many expired.

    `ended_before` (at most `now`) limits it to holds that ended before then: after a restore,
    those that ended before the backup was taken (raffles.services.restore)."""
    now = now or timezone.now()
    ended_before = min(ended_before or now, now)
    due = list(
        Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            expires_at__lt=ended_before,
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
