"""Racing state changes on one order or one buyer, with real threads on the real database:
exactly one of two conflicting decisions wins, and the raffle stays consistent."""

from __future__ import annotations

import functools
import itertools
import random
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from raffles import services
from raffles.exceptions import RaffleError
from raffles.models import Order, Raffle, TicketNumber
from raffles.tests.consistency import PAID, PENDING, consistency_problems, let_hold_run_out
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = 200
THREADS = 16

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
