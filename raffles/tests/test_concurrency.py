"""No double sale under real concurrency: real threads and real processes on the real database.

The same file runs on SQLite (a WAL file shared by every thread and process) and on
PostgreSQL. Many workers hammer ONE small raffle (200 numbers, so they collide all the time)
with overlapping specific and random reservations, cancels, holds that run out and are
expired, and a few payments; then the database is checked as a whole:

- no number is held by two live orders, and every held number points at an order that lists it;
- reserved and sold counts match the orders (qty, price, numbers);
- no caller ever saw anything but a domain error (`RaffleError`): no "database is locked",
  no deadlock, no IntegrityError.

`transaction=True`: workers use their own connections, so they must see committed rows.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import random
import threading
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from raffles import services
from raffles.exceptions import RaffleError
from raffles.models import Buyer, Order, OrderTicket, Raffle, TicketNumber
from raffles.selectors import raffle_counts
from raffles.services.reservations import retry_on_conflict
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = 200
THREADS = 16
ATTEMPTS_PER_THREAD = 130
PROCESSES = 8
ATTEMPTS_PER_PROCESS = 260
MAX_LIVE_PER_WORKER = 3  # a worker frees one of its orders before holding more

AVAILABLE = TicketNumber.Status.AVAILABLE
RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD
PENDING = Order.Status.PENDING_PAYMENT
PAID = Order.Status.PAID


# --- What the whole database must look like ---------------------------------------------------


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


# --- The workers ------------------------------------------------------------------------------


@dataclass
class Tally:
    attempts: int = 0
    reserved: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # (order, numbers)
    outcomes: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.attempts += other.attempts
        self.reserved += other.reserved
        self.outcomes.update(other.outcomes)
        self.unexpected += other.unexpected


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


def one_attempt(
    rng: random.Random, raffle_id: int, buyers: list[Buyer], mine: list[Order], tally: Tally
) -> None:
    roll = rng.random()
    if mine and (len(mine) >= MAX_LIVE_PER_WORKER or roll < 0.10):
        order = mine.pop(rng.randrange(len(mine)))
        how = rng.random()
        if how < 0.70:
            services.cancel_order(order, by=order.buyer)
            tally.outcomes["cancelled"] += 1
        elif how < 0.98:
            let_hold_run_out(order)
            tally.outcomes["expired"] += services.expire_reservations()
        else:
            services.confirm_paid(order)
            tally.outcomes["paid"] += 1
    elif roll < 0.12:
        # Staff act on anyone's order while its owner may be acting on it too.
        order = Order.objects.filter(raffle_id=raffle_id, status=PENDING).order_by("?").first()
        if order is None:
            return
        if rng.random() < 0.8:
            services.cancel_order(order)
            tally.outcomes["staff_cancelled"] += 1
        else:
            services.confirm_paid(order)
            tally.outcomes["staff_paid"] += 1
    elif roll < 0.56:
        numbers = rng.sample(range(SIZE), rng.randint(1, 3))
        order = services.reserve_specific(raffle_id, numbers, rng.choice(buyers))
        assert order.numbers() == sorted(numbers)
        tally.reserved.append((order.pk, tuple(sorted(numbers))))
        mine.append(order)
        tally.outcomes["reserved_specific"] += 1
    else:
        order = services.reserve_random(raffle_id, rng.randint(1, 3), rng.choice(buyers))
        tally.reserved.append((order.pk, tuple(order.numbers())))
        mine.append(order)
        tally.outcomes["reserved_random"] += 1


def hammer(raffle_id: int, buyer_ids: list[int], seed: int, attempts: int) -> Tally:
    """One worker's life. Domain errors are expected outcomes; anything else is a failure."""
    rng = random.Random(seed)
    tally = Tally()
    buyers = list(Buyer.objects.filter(pk__in=buyer_ids))
    mine: list[Order] = []
    for _ in range(attempts):
        tally.attempts += 1
        try:
            one_attempt(rng, raffle_id, buyers, mine, tally)
        except RaffleError as exc:
            tally.outcomes[type(exc).__name__] += 1
        except Exception as exc:
            tally.unexpected.append(
                f"{type(exc).__module__}.{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
            )
    return tally


def thread_worker(
    raffle_id: int, buyer_ids: list[int], seed: int, start: threading.Barrier, out: list[Tally]
) -> None:
    try:
        start.wait()
        out.append(hammer(raffle_id, buyer_ids, seed, ATTEMPTS_PER_THREAD))
    except Exception:
        out.append(Tally(unexpected=[traceback.format_exc()]))
    finally:
        connection.close()


def process_worker(
    raffle_id: int, buyer_ids: list[int], seed: int, start: Any, results: Any
) -> None:
    connections.close_all()  # never touch the parent's sockets or file handles
    try:
        start.wait()
        results.put(hammer(raffle_id, buyer_ids, seed, ATTEMPTS_PER_PROCESS))
    except Exception:
        results.put(Tally(unexpected=[traceback.format_exc()]))
    finally:
        connections.close_all()


def contended_raffle() -> tuple[Raffle, list[int]]:
    raffle = make_raffle(size=SIZE, max_tickets_per_order=5, ticket_price=Decimal("2.50"))
    buyers = [BuyerFactory().pk for _ in range(12)]
    return raffle, buyers


def check_run(raffle: Raffle, tally: Tally, workers: int) -> None:
    summary = f"{tally.attempts} attempts by {workers} workers: {dict(tally.outcomes)}"
    print(summary)  # shown with -s, and on failure
    assert not tally.unexpected, f"{summary}\n" + "\n".join(tally.unexpected[:5])
    # The workers really fought over the same numbers.
    assert len(tally.reserved) > 200, summary
    assert tally.outcomes["NumbersTaken"] > 100, summary
    assert_quiescent_and_consistent(raffle)
    # Every order that was reported as reserved lists exactly the numbers it was given.
    listed: dict[int, list[int]] = defaultdict(list)
    for order_id, number in OrderTicket.objects.filter(order__raffle=raffle).values_list(
        "order_id", "number"
    ):
        listed[order_id].append(number)
    for order_id, numbers in tally.reserved:
        assert sorted(listed[order_id]) == list(numbers)
    ids = [order_id for order_id, _ in tally.reserved]
    assert len(ids) == len(set(ids))
    assert Order.objects.filter(raffle=raffle).count() == len(ids)  # failures leave no order


# --- The tests --------------------------------------------------------------------------------


def test_sixteen_threads_never_sell_a_number_twice() -> None:
    raffle, buyer_ids = contended_raffle()
    start = threading.Barrier(THREADS)
    out: list[Tally] = []
    threads = [
        threading.Thread(target=thread_worker, args=(raffle.pk, buyer_ids, seed, start, out))
        for seed in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert len(out) == THREADS
    tally = Tally()
    for one in out:
        tally.merge(one)
    check_run(raffle, tally, THREADS)


def test_eight_processes_never_sell_a_number_twice() -> None:
    raffle, buyer_ids = contended_raffle()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    connections.close_all()  # children inherit no open connection
    procs = [
        ctx.Process(target=process_worker, args=(raffle.pk, buyer_ids, 100 + i, start, results))
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    tally = Tally()
    for _ in procs:
        tally.merge(results.get(timeout=180))
    for p in procs:
        p.join(timeout=30)
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    check_run(raffle, tally, PROCESSES)


# --- Two people acting on the same order at the same moment ---------------------------------

ROUNDS = 20
PROOF = b"%PDF-1.4 proof of payment"
# The legal life of an order, read from its audit log.
NEXT_EVENTS = {
    "reserved": {"proof_received", "paid", "cancelled", "expired"},
    "proof_received": {"proof_received", "paid", "payment_rejected", "cancelled"},
    "payment_rejected": {"proof_received", "paid", "cancelled", "expired"},
    "expired": {"proof_received", "paid"},  # a late payment may still be confirmed
    "paid": set(),
    "cancelled": set(),
}
FINAL_STATUS = {
    "reserved": PENDING,
    "proof_received": PENDING,
    "payment_rejected": PENDING,
    "expired": Order.Status.EXPIRED,
    "paid": PAID,
    "cancelled": Order.Status.CANCELLED,
}


def history_problems(order: Order) -> list[str]:
    """The audit log must be a legal path that ends in the order's current status."""
    kinds = list(order.events.order_by("created_at", "id").values_list("kind", flat=True))
    problems = [
        f"{order.code}: {a} → {b} in {kinds}"
        for a, b in itertools.pairwise(kinds)
        if b not in NEXT_EVENTS.get(a, set())
    ]
    order.refresh_from_db()
    if kinds and FINAL_STATUS.get(kinds[-1]) != order.status:
        problems.append(f"{order.code} is {order.status} after {kinds}")
    return problems


def race(*calls: Callable[[], object]) -> list[str]:
    """Run the calls in threads released at the same instant; each call's outcome: 'ok', a
    domain error's name, or 'UNEXPECTED …'."""
    start = threading.Barrier(len(calls))
    outcomes = [""] * len(calls)

    def run(i: int) -> None:
        try:
            start.wait()
            calls[i]()
            outcomes[i] = "ok"
        except RaffleError as exc:
            outcomes[i] = type(exc).__name__
        except Exception as exc:
            outcomes[i] = f"UNEXPECTED {type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def race_on_orders(
    prepare: Callable[[Order], object],
    calls: Callable[[Order], list[Callable[[], object]]],
    allowed: set[tuple[str, ...]],
) -> None:
    """For ROUNDS fresh orders: prepare(order), race calls(order), check the outcomes."""
    raffle = make_raffle(size=2 * ROUNDS)
    buyer = BuyerFactory()
    seen: Counter[tuple[str, ...]] = Counter()
    for i in range(ROUNDS):
        order = services.reserve_specific(raffle.pk, [2 * i, 2 * i + 1], buyer)
        prepare(order)
        outcomes = tuple(race(*calls(order)))
        seen[outcomes] += 1
        problems = history_problems(order)
        if outcomes not in allowed:
            problems.append(f"outcomes {outcomes}")
        assert not problems, f"round {i}: {problems}; so far {dict(seen)}"
    assert not consistency_problems(raffle.pk)
    print(dict(seen))


def attach_proof(order: Order) -> None:
    services.attach_payment_proof(
        order, content=PROOF + order.code.encode(), mime_type="application/pdf"
    )


def test_staff_confirms_while_buyer_cancels_exactly_one_wins() -> None:
    race_on_orders(
        prepare=lambda order: None,
        calls=lambda order: [
            lambda: services.confirm_paid(order),
            lambda: services.cancel_order(order, by=order.buyer),
        ],
        allowed={("ok", "InvalidOrderState"), ("InvalidOrderState", "ok")},
    )


def test_one_staff_confirms_while_another_rejects() -> None:
    race_on_orders(
        prepare=attach_proof,
        calls=lambda order: [
            lambda: services.confirm_paid(order),
            lambda: services.reject_payment(order, "amount does not match"),
        ],
        # Reject first, then confirm (staff may confirm without a pending proof): both ok.
        allowed={("ok", "ok"), ("ok", "InvalidOrderState")},
    )


def test_staff_confirms_while_the_expiry_job_runs() -> None:
    # A hold that ran out may still be paid (late payment): both calls always succeed.
    race_on_orders(
        prepare=let_hold_run_out,
        calls=lambda order: [
            lambda: services.confirm_paid(order),
            services.expire_reservations,
        ],
        allowed={("ok", "ok")},
    )


def test_buyer_limit_holds_when_one_buyer_asks_from_many_threads() -> None:
    limit = 4
    raffle = make_raffle(size=SIZE, max_tickets_per_buyer=limit, max_tickets_per_order=3)
    for _ in range(5):
        buyer = BuyerFactory()
        ask = functools.partial(services.reserve_random, raffle.pk, 2, buyer)
        outcomes = race(*[ask] * THREADS)
        assert not [o for o in outcomes if o.startswith("UNEXPECTED")], outcomes
        held = TicketNumber.objects.filter(reserved_by_order__buyer=buyer).count()
        assert held <= limit, f"buyer holds {held} numbers, limit {limit}: {outcomes}"
    assert not consistency_problems(raffle.pk)


def test_a_raffle_closed_while_threads_reserve_from_memory_stops_selling_at_once() -> None:
    """Reservations keep the raffle in memory (per process) and check it inside the write.
    Closing it while 8 threads reserve from that copy: every call that starts after the close
    has returned is refused."""
    raffle = make_raffle(size=100_000, max_tickets_per_order=3)
    closed = threading.Event()
    stop = threading.Event()
    late: list[str] = []
    unexpected: list[str] = []

    def reserve(seed: int) -> None:
        rng = random.Random(seed)
        buyer = BuyerFactory()
        try:
            while not stop.is_set():
                after_close = closed.is_set()
                try:
                    if rng.random() < 0.5:
                        services.reserve_random(raffle.pk, rng.randint(1, 3), buyer)
                    else:
                        numbers = rng.sample(range(100_000), rng.randint(1, 3))
                        services.reserve_specific(raffle.pk, numbers, buyer)
                    if after_close:
                        late.append(f"thread {seed} reserved after the close")
                except RaffleError:
                    pass
                except Exception as exc:
                    unexpected.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    try:
        while Order.objects.filter(raffle_id=raffle.pk).count() < 50:  # all warm, in memory
            threading.Event().wait(0.01)
        services.close_raffle(Raffle.objects.get(pk=raffle.pk))
        closed.set()
        threading.Event().wait(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not unexpected, unexpected[:3]
    assert not late, late[:3]
    assert not consistency_problems(raffle.pk)
