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

import multiprocessing
import random
import threading
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from raffles import services
from raffles.exceptions import RaffleError
from raffles.models import Buyer, Order, OrderTicket, Raffle
from raffles.tests.consistency import (
    PENDING,
    assert_quiescent_and_consistent,
    let_hold_run_out,
)
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = 200
THREADS = 16
ATTEMPTS_PER_THREAD = 130
PROCESSES = 8
ATTEMPTS_PER_PROCESS = 260
MAX_LIVE_PER_WORKER = 3  # a worker frees one of its orders before holding more


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
