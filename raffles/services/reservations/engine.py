"""The reservation engine: reserve_specific and reserve_random, all-or-nothing.

Each call checks the raffle (kept in memory, `known`), prepares everything it will write (a
`Hold`) before any lock is taken, and hands it to the database's store, which claims it in
one write and answers with one `ClaimResult`; the engine retries what can be retried (a
raffle changed since it was read, a taken order code, numbers taken meanwhile by a random
pick) and raises the domain's errors for the rest. `order_reserved` is sent once the
reservation is written (after its own transaction; inside the caller's, if there is one).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import NOT_PROVIDED, Value
from django.utils import timezone

from config.db.retry import one_at_a_time, retry_on_conflict
from raffles import signals
from raffles.audit import EventKind
from raffles.exceptions import (
    DuplicateNumbers,
    NotEnoughNumbers,
    NumbersOutOfRange,
    NumbersTaken,
    QuantityOutOfBounds,
    RaffleNotActive,
)
from raffles.models import Buyer, Order, Raffle, new_order_code
from raffles.services.actors import ActorLike, as_actor
from raffles.services.reservations.known import checked, copy, known_raffle, raffle_pk
from raffles.services.reservations.picking import nearest_free, pick_numbers, remaining_count
from raffles.services.reservations.rules import check_buyer_limit, check_qty
from raffles.services.reservations.store import Claim, ClaimResult, Hold, in_transaction
from raffles.services.reservations.stores import store_for

logger = logging.getLogger(__name__)

RESERVED_OK = ClaimResult.RESERVED


def _hold(
    raffle: Raffle,
    buyer: Buyer,
    numbers: list[int],
    kind: str,
    by: ActorLike,
) -> Hold:
    """Everything one reservation writes, prepared before any lock is taken."""
    now = timezone.now()
    until = now + timedelta(minutes=raffle.reservation_minutes)
    actor = as_actor(by or buyer)
    price = raffle.quote(len(numbers), at=now)
    return Hold(
        raffle_id=raffle.pk,
        buyer_id=buyer.pk,
        numbers=numbers,
        total=price.total,
        list_amount=price.list_price,
        code=new_order_code(),
        now=now,
        until=until,
        kind=kind,
        actor_type=actor.type,
        actor_user_id=getattr(actor.user, "pk", None),
        actor_label=actor.label,
    )


def _write(raffle: Raffle, terms: str, buyer: Buyer, hold: Hold) -> Claim:
    """Write the hold: all of it or nothing. Without a buyer limit that is the store's
    `claim_alone` (one statement on PostgreSQL, one short write transaction on SQLite), or a
    savepoint in the caller's transaction on SQLite; with a limit, one transaction that
    checks the limit first. A taken order code is retried with a new one."""
    limit = raffle.max_tickets_per_buyer
    connection = connections[DEFAULT_DB_ALIAS]
    store = store_for(connection)
    alone = limit is None and (connection.vendor == "postgresql" or not in_transaction(connection))
    for _ in range(10):
        if alone:
            claim = store.claim_alone(hold, terms)
        else:
            with transaction.atomic():
                if limit is not None:
                    check_buyer_limit(raffle, buyer, hold.count, hold.now)
                claim = store.claim(hold, terms)
                if claim.result is not RESERVED_OK:
                    transaction.set_rollback(True)
        if claim.result is not ClaimResult.CODE_TAKEN:
            return claim
        hold.code = new_order_code()  # that code was taken: nothing was written
    raise RuntimeError("could not allocate a unique order code")


_ORDER_FIELDS = tuple(f.attname for f in Order._meta.concrete_fields)
# Columns the store's INSERT leaves to the database's default, as the ORM reads them back.
_ORDER_DB_DEFAULTS = {
    f.attname: f.db_default.value if isinstance(f.db_default, Value) else f.db_default
    for f in Order._meta.concrete_fields
    if f.db_default is not NOT_PROVIDED
}
_RAFFLE, _BUYER = Order._meta.get_field("raffle"), Order._meta.get_field("buyer")


def _reserved(raffle: Raffle, buyer: Buyer, hold: Hold, order_id: int) -> Order:
    """The order just written, as the ORM would read it back; then tell whoever listens."""
    values = {
        "id": order_id,
        "code": hold.code,
        "raffle_id": hold.raffle_id,
        "buyer_id": hold.buyer_id,
        "qty": len(hold.numbers),
        "total_amount": hold.total,
        "list_amount": hold.list_amount,
        "discount_amount": hold.list_amount - hold.total,
        "status": Order.Status.PENDING_PAYMENT,
        "created_at": hold.now,
        "updated_at": hold.now,
        "expires_at": hold.until,
        "closed_reason": "",  # the column's database default
        "coupon_code": "",
    }
    values = {**_ORDER_DB_DEFAULTS, **values}
    order = Order.from_db(raffle._state.db, _ORDER_FIELDS, [values.get(n) for n in _ORDER_FIELDS])
    _RAFFLE.set_cached_value(order, copy(raffle))
    _BUYER.set_cached_value(order, buyer)
    # Robust: the reservation is already written, so a failing receiver must not turn it
    # into an error for the caller.
    for receiver, result in signals.order_reserved.send_robust(sender=Order, order=order):
        if isinstance(result, Exception):
            logger.error("order_reserved receiver %r failed", receiver, exc_info=result)
    return order


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
    pk = raffle_pk(raffle_id)

    def check(raffle: Raffle) -> None:
        duplicates = sorted({n for n in requested if requested.count(n) > 1})
        if duplicates:
            raise DuplicateNumbers(duplicates)
        out = [n for n in requested if not raffle.min_number <= n <= raffle.max_number]
        if out:
            raise NumbersOutOfRange(sorted(out), raffle.min_number, raffle.max_number)
        check_qty(raffle, len(requested))

    wanted = sorted(requested)
    fresh = False
    for _ in range(5):
        raffle, terms = checked(pk, fresh, check)
        hold = _hold(raffle, buyer, wanted, EventKind.RESERVED.value, by)
        claim = _write(raffle, terms, buyer, hold)
        if claim.result is RESERVED_OK:
            # order_id is None only on a claim that is not RESERVED (store.Claim).
            return _reserved(raffle, buyer, hold, claim.order_id)  # type: ignore[arg-type]
        if claim.result is ClaimResult.TAKEN:
            taken = sorted(set(wanted).difference(claim.claimable))
            raise NumbersTaken(taken, nearest_free(raffle, taken))
        fresh = True  # STALE_TERMS: the raffle changed since it was read: read it again
    raise RaffleNotActive(f"“{raffle.title}” is being changed; please try again")


@one_at_a_time
@retry_on_conflict
def reserve_random(raffle_id: int, qty: int, buyer: Buyer, *, by: ActorLike = None) -> Order:
    """Reserve `qty` numbers picked at random, uniformly among the claimable ones, or nothing
    (NotEnoughNumbers says how many remain). Costs point lookups in proportion to `qty` and
    the share of the raffle taken, never a scan of the raffle (picking.pick_numbers)."""
    pk = raffle_pk(raffle_id)

    def check(raffle: Raffle) -> None:
        if isinstance(qty, bool) or not isinstance(qty, int):
            raise QuantityOutOfBounds(0, raffle.max_tickets_per_order)
        check_qty(raffle, qty)

    fresh = False
    keep: list[int] = []  # picked numbers that were still free when the last try failed
    # The numbers are picked first (uniformly among the claimable ones, lapsed holds
    # included), then claimed like specific ones; numbers taken meanwhile are picked again.
    for _ in range(12):
        raffle, terms = checked(pk, fresh, check)
        picked = keep + pick_numbers(raffle, qty - len(keep), set(keep), timezone.now())
        if len(picked) < qty:
            break
        hold = _hold(raffle, buyer, sorted(picked), EventKind.RESERVED_RANDOM.value, by)
        claim = _write(raffle, terms, buyer, hold)
        if claim.result is RESERVED_OK:
            # order_id is None only on a claim that is not RESERVED (store.Claim).
            return _reserved(raffle, buyer, hold, claim.order_id)  # type: ignore[arg-type]
        stale = claim.result is ClaimResult.STALE_TERMS
        fresh = stale
        # Someone took some of them meanwhile: keep the rest, pick again for those.
        keep = [] if stale else list(claim.claimable)
    raise NotEnoughNumbers(qty, remaining_count(known_raffle(pk, True)[0]))
