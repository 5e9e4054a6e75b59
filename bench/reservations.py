"""Benchmark of the reservation engine. Run by hand; not a test.

    uv run python bench/reservations.py --db sqlite
    uv run python bench/reservations.py --db postgres
    uv run python bench/reservations.py --db sqlite --only throughput --workers 16
    uv run python bench/reservations.py --db sqlite --only profile

It builds its own database and removes it afterwards: a temporary SQLite file, or the
PostgreSQL database `raffles_bench` (created and dropped through BENCH_PG_ADMIN_URL, default
postgres://postgres@127.0.0.1:5432/postgres). Then, with the project's real settings
(`config.settings`, DEBUG off so no query log) and every app installed (so messaging's
signal receivers run, as in production), it measures:

  generate    seconds to generate the 1,000,000 numbers of one raffle;
  throughput  successful reservations per second with 1, 4 and 16 concurrent workers
              (threads, and forked processes; `--modes …,spawned` adds fresh interpreters),
              each worker reserving 1-3 numbers, half specific, half random, from that
              1,000,000-number raffle;
  random      reserve_random of 5 numbers when the raffle is 0 %, 90 % and 99.99 % sold
              (median and p95 ms; each order is cancelled after, so the ratio stays put);
  reads       with 20,000 current holds: a refused reserve_specific (it
              looks up the nearest free numbers), the raffle's counts (what the bot shows)
              and its free ranges (the API's availability);
  profile     the top of a cProfile of one thread reserving for a few seconds.

Each throughput row also gives the CPU one reservation cost (this process and its reaped
workers, from `os.times`; PostgreSQL's processes on this machine, from /proc) and the rate at
which that cost would fill every core; the report's first line says how fast the machine is
(a pure-Python loop; on PostgreSQL, a `SELECT 1` round trip). It prints a Markdown table at
the end; the Reservations section of docs/performance.md keeps the latest.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import multiprocessing
import os
import pstats
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchdb import prepare_database
from cpu import cpu_seconds, postmaster_of
from reservations_report import machine_speed, report

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "raffles_bench"
SIZE = 1_000_000
PARTS = ("generate", "throughput", "random", "reads", "profile")

# --- The database -------------------------------------------------------------------------


def create_database(db: str) -> Callable[[], None]:
    """Point DATABASE_URL at a new, empty database; return how to remove it."""
    url, cleanup = prepare_database(db, BENCH_DB)
    os.environ["DATABASE_URL"] = url
    return cleanup


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # production: no query log kept in memory
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # raffle versions live in the cache


class RetryCounter(logging.Handler):
    """Counts the services' "retrying … after 40P01" (deadlock / serialization) lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("retrying"):
            self.count += 1


RETRIES = RetryCounter()


def count_retries() -> None:
    log = logging.getLogger("config.db.retry")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(RETRIES)


# --- The measurements -------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def generate(size: int) -> tuple[Any, float]:
    from raffles import services

    raffle = services.create_raffle(
        title="Bench", ticket_price=Decimal("5.00"), max_number=size - 1, max_tickets_per_order=10
    )
    started = time.perf_counter()
    services.generate_tickets(raffle)
    seconds = time.perf_counter() - started
    raffle = services.activate_raffle(raffle=raffle)
    return raffle, seconds


@dataclass
class Run:
    ok: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    retries: int = 0  # deadlock / serialization retries (set by process workers)


def reserve_for(raffle_id: int, size: int, buyer_id: int, seconds: float, seed: int) -> Run:
    """One worker: reserve 1-3 numbers (half specific, half random) until time is up."""
    from raffles import services
    from raffles.exceptions import RaffleError
    from raffles.models import Buyer

    rng = random.Random(seed)
    buyer = Buyer.objects.get(pk=buyer_id)
    run = Run(started=time.perf_counter())
    deadline = run.started + seconds
    while time.perf_counter() < deadline:
        qty = rng.randint(1, 3)
        t0 = time.perf_counter()
        try:
            if rng.random() < 0.5:
                services.reserve_specific(raffle_id, rng.sample(range(size), qty), buyer)
            else:
                services.reserve_random(raffle_id, qty, buyer)
            run.ok += 1
        except RaffleError as exc:
            run.refused[type(exc).__name__] += 1
        except Exception as exc:
            run.unexpected.append(f"{type(exc).__name__}: {exc}")
        run.latencies.append(time.perf_counter() - t0)
    run.ended = time.perf_counter()
    return run


def in_thread(args: tuple[Any, ...], start: threading.Barrier, out: list[Run]) -> None:
    from django.db import connection

    try:
        start.wait()
        out.append(reserve_for(*args))
    finally:
        connection.close()


def in_process(args: tuple[Any, ...], start: Any, results: Any) -> None:
    if "django" not in sys.modules or not _django_ready():  # a spawned child: set up afresh
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        count_retries()
    from django.db import connections

    connections.close_all()
    try:
        start.wait()
        before = RETRIES.count
        run = reserve_for(*args)
        run.retries = RETRIES.count - before
        results.put(run)
    finally:
        connections.close_all()


def _django_ready() -> bool:
    from django.apps import apps

    return apps.ready


def database_cpu_seconds() -> float:
    """CPU seconds the PostgreSQL server (all its processes) has used; 0 on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return cpu_seconds(postmaster_of(backend))


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of its reaped children (forked workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def throughput(raffle: Any, workers: int, mode: str, seconds: float) -> dict[str, Any]:
    from django.db import connections

    from raffles.models import Buyer

    buyers = [Buyer.objects.get_or_create(phone=f"+1555000{i:04d}")[0].pk for i in range(workers)]
    first_seed = 1000 * workers + (0 if mode == "threads" else 500)  # no run repeats picks
    seeds = range(first_seed, first_seed + workers)
    jobs = [
        (raffle.pk, raffle.size, pk, seconds, seed) for pk, seed in zip(buyers, seeds, strict=True)
    ]
    runs: list[Run] = []
    retries_before = RETRIES.count
    cpu_before = own_cpu_seconds(), database_cpu_seconds()
    if mode == "threads":
        start = threading.Barrier(workers)
        threads = [threading.Thread(target=in_thread, args=(job, start, runs)) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        # "processes": forked, as gunicorn and django-q2 start theirs ("gc.freeze" as
        # preforking servers do); "spawned": fresh interpreters, as separate services.
        ctx = multiprocessing.get_context("fork" if mode == "processes" else "spawn")
        gc.freeze()
        start = ctx.Barrier(workers)
        results = ctx.Queue()
        connections.close_all()
        procs = [ctx.Process(target=in_process, args=(job, start, results)) for job in jobs]
        for p in procs:
            p.start()
        runs = [results.get() for _ in procs]
        for p in procs:
            p.join()
    time.sleep(0.3)  # let the postmaster reap the workers' backends
    client_cpu = own_cpu_seconds() - cpu_before[0]
    db_cpu = database_cpu_seconds() - cpu_before[1]
    ok = sum(r.ok for r in runs)
    wall = max(r.ended for r in runs) - min(r.started for r in runs)
    latencies = [x for r in runs for x in r.latencies]
    unexpected = [u for r in runs for u in r.unexpected]
    return {
        "workers": workers,
        "mode": mode,
        "ok": ok,
        "refused": sum((r.refused for r in runs), Counter()),
        "unexpected": len(unexpected),
        "unexpected_sample": unexpected[:3],
        "per_second": round(sum(r.ok for r in runs) / wall),
        "median_ms": ms(statistics.median(latencies)),
        "p95_ms": ms(p95(latencies)),
        "retries": RETRIES.count - retries_before + sum(r.retries for r in runs),
        # CPU per reservation: the Python side (SQLite's work included) and PostgreSQL's.
        "client_cpu_ms": round(client_cpu * 1000 / max(ok, 1), 2),
        "db_cpu_ms": round(db_cpu * 1000 / max(ok, 1), 2),
    }


def free_everything(raffle: Any) -> None:
    """Undo the throughput runs: every number free again, their orders gone (in batches: one
    ORM delete of 100,000 orders passes more parameters than PostgreSQL takes)."""
    from django.db import transaction

    from raffles.models import Order, OrderEvent, TicketNumber

    with transaction.atomic():
        TicketNumber.objects.filter(raffle=raffle).exclude(status="AVAILABLE").update(
            status="AVAILABLE", reserved_by_order=None, reserved_until=None
        )
        OrderEvent.objects.filter(raffle=raffle).delete()
        while batch := list(
            Order.objects.filter(raffle=raffle).values_list("pk", flat=True)[:10_000]
        ):
            Order.objects.filter(pk__in=batch).delete()


# Pseudo-random but repeatable scatter of the sold numbers: a multiplicative hash of the number.
SELL_SQL = (
    "UPDATE raffles_ticketnumber SET status = 'SOLD', reserved_by_order_id = %s"
    " WHERE raffle_id = %s AND status = 'AVAILABLE'"
    " AND ((number * 2654435761) %% 4294967296) %% 10000 < %s"
)


def sell_up_to(raffle: Any, per_10000: int) -> float:
    """Mark numbers SOLD (one bulk UPDATE) until about per_10000/10000 are; return the ratio."""
    from django.db import connection, transaction

    from raffles.models import Buyer, Order, TicketNumber

    holder = Order.objects.filter(raffle=raffle, status=Order.Status.PAID).first()
    if holder is None:
        buyer = Buyer.objects.get_or_create(phone="+15559999999")[0]
        holder = Order.objects.create(
            raffle=raffle, buyer=buyer, qty=1, total_amount=0, status=Order.Status.PAID
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SELL_SQL, [holder.pk, raffle.pk, per_10000])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE raffles_ticketnumber")
    sold = TicketNumber.objects.filter(raffle=raffle, status="SOLD").count()
    return sold / raffle.size


def random_latency(raffle: Any, calls: int) -> dict[str, Any]:
    from raffles import services
    from raffles.exceptions import RaffleError
    from raffles.models import Buyer

    buyer = Buyer.objects.get_or_create(phone="+15558888888")[0]
    times: list[float] = []
    refused = 0
    for _ in range(calls):
        t0 = time.perf_counter()
        try:
            order = services.reserve_random(raffle.pk, 5, buyer)
        except RaffleError:
            refused += 1
            continue
        times.append(time.perf_counter() - t0)
        services.cancel_order(order)  # not timed: the sold ratio stays where it is
    return {
        "calls": calls,
        "refused": refused,
        "median_ms": ms(statistics.median(times)) if times else None,
        "p95_ms": ms(p95(times)) if times else None,
    }


HOLD_SQL = (
    "UPDATE raffles_ticketnumber SET status = 'RESERVED', reserved_by_order_id = %s,"
    " reserved_until = %s WHERE raffle_id = %s AND status = 'AVAILABLE'"
    " AND number %% %s = 7 AND number < %s"
)


def reads(raffle: Any, calls: int) -> dict[str, Any]:
    """Median ms of the reads that grew with a raffle's holds or size, with 20,000 current
    holds (scattered, held by one order: set by one bulk UPDATE) and none past their time
    (the expiry job has just run)."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from raffles import selectors, services
    from raffles.exceptions import NumbersTaken
    from raffles.models import Buyer, Order

    buyer = Buyer.objects.get_or_create(phone="+15556666666")[0]
    holder = Order.objects.create(
        raffle=raffle, buyer=buyer, qty=1, total_amount=0, status=Order.Status.PENDING_PAYMENT
    )
    now = timezone.now()
    step = raffle.size // 20_000
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(HOLD_SQL, [holder.pk, now + timedelta(hours=1), raffle.pk, step, SIZE])
    taken = list(
        raffle.tickets.filter(status="RESERVED", reserved_until__gt=now).values_list(
            "number", flat=True
        )[:calls]
    )

    def timed(call: Callable[[], Any]) -> float:
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        return ms(statistics.median(times))

    def refused() -> None:
        try:
            services.reserve_specific(raffle.pk, [random.choice(taken)], buyer)
        except NumbersTaken:
            return
        raise AssertionError("a held number was reserved")

    def ranges() -> None:
        selectors.available_ranges(raffle, selectors.raffle_counts(raffle))

    return {
        "refused_ms": timed(refused),
        "counts_ms": timed(lambda: selectors.raffle_counts(raffle)),
        "ranges_ms": timed(ranges),
        "calls": calls,
    }


def profile(raffle: Any, seconds: float) -> str:
    from raffles.models import Buyer

    buyer = Buyer.objects.get_or_create(phone="+15557777777")[0]
    profiler = cProfile.Profile()
    profiler.enable()
    run = reserve_for(raffle.pk, raffle.size, buyer.pk, seconds, 7)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"{run.ok} reservations in {seconds} s, one thread\n")
    stats.sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(r"raffles|messaging|django/db", 25)
    return out.getvalue()


# --- Report -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", default=",".join(PARTS[:4]), help=f"of {','.join(PARTS)}")
    parser.add_argument("--workers", default="1,4,16")
    parser.add_argument("--modes", default="threads,processes")
    parser.add_argument("--seconds", type=float, default=6.0, help="per throughput run")
    parser.add_argument("--calls", type=int, default=200, help="reserve_random calls per ratio")
    parser.add_argument("--size", type=int, default=SIZE)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    command = "uv run python bench/reservations.py " + " ".join(sys.argv[1:])

    drop = create_database(args.db)
    try:
        setup_django()
        count_retries()
        results: dict[str, Any] = {"size": args.size, "speed": machine_speed()}
        print(results["speed"], flush=True)
        raffle, seconds = generate(args.size)
        print(f"generated {raffle.size:,} numbers in {seconds:.1f} s", flush=True)
        if "generate" in parts:
            results["generate_s"] = seconds
        if "profile" in parts:
            print(profile(raffle, args.seconds), flush=True)
        if "throughput" in parts:
            results["throughput"] = []
            for mode in args.modes.split(","):
                for workers in map(int, args.workers.split(",")):
                    row = throughput(raffle, workers, mode, args.seconds)
                    print(row, flush=True)
                    results["throughput"].append(row)
            free_everything(raffle)
        if "reads" in parts:
            results["reads"] = reads(raffle, 20)
            print("reads", results["reads"], flush=True)
            free_everything(raffle)
        if "random" in parts:
            results["random"] = {}
            for label, per_10000 in (("0 %", 0), ("90 %", 9000), ("99.99 %", 9999)):
                ratio = sell_up_to(raffle, per_10000) if per_10000 else 0.0
                row = random_latency(raffle, args.calls)
                row["sold_ratio"] = ratio
                print(label, f"(exactly {ratio:.4%})", row, flush=True)
                results["random"][label] = row
        results["load"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())  # 1, 5, 15 min
        print()
        print(report(args.db, results, command))
    finally:
        drop()


if __name__ == "__main__":
    main()
