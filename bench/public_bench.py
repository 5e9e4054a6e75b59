"""Benchmark of the public raffle page and its board feed, with sales landing beside them.
Run by hand; not a test.

    uv run python bench/public_bench.py --db sqlite --seconds 10
    uv run python bench/public_bench.py --db postgres --seconds 10 --workers 2

It builds its own database (a temporary SQLite file, or the PostgreSQL database
`raffles_public_bench` through BENCH_PG_ADMIN_URL) with the project's settings (DEBUG off, the
database cache as in production without Redis), a 10,000-number raffle with 20 % sold, and
then, in `--workers` processes, requests through Django's full middleware stack (the test
client, no HTTP server) for `--seconds` each:

  page      GET /r/<id>/ (HTML; cached per raffle, version and language)
  feed      GET /r/<id>/board.json?block=N for a random block (JSON)
  feed-304  the same with the block's ETag (a poll when nothing changed)

while one more process reserves one random number `--sales` times a second (then cancels
every tenth order, so the board keeps changing). It prints a Markdown table: requests per
second over all workers, the p50/p99 latency, the sales that landed, and the CPU the run
used (the machine may be shared: compare CPU seconds, not only wall time).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchdb import prepare_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "raffles_public_bench"
SIZE = 10_000


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False


def build() -> str:
    from django.core.management import call_command

    from raffles import services
    from raffles.models import Buyer
    from raffles.tests.factories import make_raffle

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    raffle = make_raffle(size=SIZE, max_tickets_per_order=500, max_tickets_per_buyer=None)
    buyers = Buyer.objects.bulk_create(
        [Buyer(phone=f"+5215590{i:06d}", name=f"Buyer {i}") for i in range(400)]
    )
    for i, buyer in enumerate(buyers[:10]):
        order = services.reserve_random(raffle.pk, 200, buyer)
        if i % 2 == 0:
            services.confirm_paid(order)
    return raffle.public_id


def visitor(kind: str, public_id: str, seconds: float, out: Any) -> None:
    setup_django()
    from django.test import Client

    client = Client()
    blocks = SIZE // 1000
    etags: dict[int, str] = {}
    latencies: list[float] = []
    codes: dict[int, int] = {}
    client.get(f"/r/{public_id}/")  # warm up: imports, first queries
    cpu_start = time.process_time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        block = random.randrange(blocks)
        headers = {}
        if kind == "page":
            url = f"/r/{public_id}/"
        else:
            url = f"/r/{public_id}/board.json?block={block}"
            if kind == "feed-304" and block in etags:
                headers["if-none-match"] = etags[block]
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        latencies.append(time.perf_counter() - start)
        codes[response.status_code] = codes.get(response.status_code, 0) + 1
        if kind != "page" and response.has_header("ETag"):
            etags[block] = response["ETag"]
    out.put((latencies, codes, time.process_time() - cpu_start))


def seller(public_id: str, seconds: float, rate: float, out: Any) -> None:
    setup_django()
    from raffles import services
    from raffles.models import Buyer, Raffle

    raffle = Raffle.objects.get(public_id=public_id)
    buyers = list(Buyer.objects.order_by("id")[10:])
    done = failed = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        due = start + done / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        try:
            order = services.reserve_random(raffle.pk, 1, random.choice(buyers))
            if done % 10 == 0:
                services.cancel_order(order)
            done += 1
        except Exception:
            failed += 1
            done += 1
    out.put((done - failed, failed, time.perf_counter() - start, time.process_time() - cpu_start))


def run(kind: str, public_id: str, workers: int, seconds: float, rate: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")  # the SQLite backend's writer thread does not survive a fork
    out = ctx.Queue()
    sales_out = ctx.Queue()
    load_before = os.getloadavg()[0]
    procs = [
        ctx.Process(target=visitor, args=(kind, public_id, seconds, out)) for _ in range(workers)
    ]
    sales = ctx.Process(target=seller, args=(public_id, seconds, rate, sales_out))
    wall = time.perf_counter()
    for p in [*procs, sales]:
        p.start()
    results = [out.get() for _ in procs]
    sold, failed, sales_wall, sales_cpu = sales_out.get()
    for p in [*procs, sales]:
        p.join()
    wall = time.perf_counter() - wall
    latencies = sorted(x for r in results for x in r[0])
    codes: dict[int, int] = {}
    for r in results:
        for code, count in r[1].items():
            codes[code] = codes.get(code, 0) + count
    return {
        "kind": kind,
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "codes": codes,
        "sales_per_s": sold / sales_wall,
        "sales_failed": failed,
        "cpu": sum(r[2] for r in results) + sales_cpu,
        "wall": wall,
        "load": load_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sales", type=float, default=50.0, help="reservations per second")
    args = parser.parse_args()
    url, cleanup = prepare_database(args.db, BENCH_DB)
    os.environ["DATABASE_URL"] = url
    try:
        setup_django()
        public_id = build()
        from django.db import connections

        connections.close_all()
        rows = [
            run(kind, public_id, args.workers, args.seconds, args.sales)
            for kind in ("page", "feed", "feed-304")
        ]
    finally:
        cleanup()
    print(
        f"\n{platform.platform()}, {os.cpu_count()} CPUs, {args.db}, {args.workers} workers,"
        f" {args.seconds:.0f} s each, sales target {args.sales:.0f}/s\n"
    )
    print(
        "| requests | req/s | p50 ms | p99 ms | status codes | sales/s landed | CPU s"
        " | load before |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(r["codes"].items()))
        print(
            f"| {r['kind']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {codes} |"
            f" {r['sales_per_s']:.1f} | {r['cpu']:.1f} / {r['wall']:.1f} wall | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
