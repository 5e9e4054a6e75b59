"""`reserve_random(5)` on a large raffle, for every layout of its sold numbers.

Generates one raffle (1,000,000 numbers unless --size says otherwise), then for each layout
and sold fraction marks the numbers SOLD in one bulk UPDATE, then does what the services do
after a bulk change (`reservations.upkeep.tidy_tickets`: VACUUM (ANALYZE) of the ticket table
on PostgreSQL, timed apart; `--no-tidy`: nothing, the calls run on the dead index entries and
the statistics of before) and times `reserve_random(5)` calls, each order cancelled after
(not timed) so the fraction stays put. Layouts:

- contiguous: the lowest numbers, one block (every free number sits after a long sold run);
- stripes: in every run of 10,000 numbers, the first ones (sold runs and free runs alternate);
- scattered: a repeatable hash of the number picks which are sold.

Reports the first call after the bulk change, the median, p95 and max, per database, and
writes the figures as JSON (bench/results/random_pick.json unless --out says otherwise).

    uv run python bench/random_pick.py --db sqlite --db postgres
    uv run python bench/random_pick.py --db postgres --size 100000 --calls 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_bench import write_results

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = {
    "contiguous": "number < %(cut)s",
    "stripes": "number %% 10000 < %(per_10000)s",
    "scattered": "((number * 2654435761) %% 4294967296) %% 10000 < %(per_10000)s",
}
FRACTIONS = (0.0, 0.5, 0.9, 0.99, 0.9999)
TARGET_MS = 5.0


def child(db: str, size: int, calls: int, tidy: bool = True) -> list[dict[str, Any]]:
    """Runs in its own process (one Django setup per database)."""
    from benchdb import prepare_database

    url, cleanup = prepare_database(db, "raffles_random_pick")
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.DEBUG = False
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # the raffle's version lives there
        return measure(size, calls, tidy)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def measure(size: int, calls: int, tidy: bool = True) -> list[dict[str, Any]]:
    from decimal import Decimal

    from django.db import connection, transaction

    from raffles import services
    from raffles.models import Buyer, Order, TicketNumber
    from raffles.services.reservations.upkeep import tidy_tickets

    raffle = services.create_raffle(
        title="Pick", ticket_price=Decimal("1.00"), max_number=size - 1, max_tickets_per_order=10
    )
    services.generate_tickets(raffle)
    raffle = services.activate_raffle(raffle=raffle)
    buyer = Buyer.objects.create(phone="+15550000001")
    holder = Order.objects.create(
        raffle=raffle, buyer=buyer, qty=1, total_amount=0, status=Order.Status.PAID
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE raffles_ticketnumber")  # the stats of a fresh raffle
    table = TicketNumber._meta.db_table
    rows = []
    for layout, condition in LAYOUTS.items():
        for fraction in FRACTIONS:
            params = {
                "cut": round(size * fraction),
                "per_10000": round(10000 * fraction),
                "raffle": raffle.pk,
                "holder": holder.pk,
            }
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET status = 'AVAILABLE', reserved_by_order_id = NULL,"  # noqa: S608
                    " reserved_until = NULL WHERE raffle_id = %(raffle)s"
                    " AND status <> 'AVAILABLE'",
                    params,
                )
                if fraction:
                    cursor.execute(
                        f"UPDATE {table} SET status = 'SOLD', reserved_by_order_id = %(holder)s"  # noqa: S608
                        f" WHERE raffle_id = %(raffle)s AND {condition}",
                        params,
                    )
            tidy_s = tidy_tickets() if tidy else 0.0
            sold = TicketNumber.objects.filter(raffle=raffle, status="SOLD").count()
            times: list[float] = []
            for _ in range(calls):
                started = time.perf_counter()
                order = services.reserve_random(raffle.pk, 5, buyer)
                times.append((time.perf_counter() - started) * 1000)
                services.cancel_order(order)
            ordered = sorted(times)
            rows.append(
                {
                    "layout": layout,
                    "sold": sold / size,
                    "first_ms": round(times[0], 2),
                    "median_ms": round(statistics.median(times), 2),
                    "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
                    "max_ms": round(ordered[-1], 2),
                    "tidy_s": round(tidy_s, 2),
                }
            )
            print(f"  {connection.vendor} {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument(
        "--no-tidy", action="store_true", help="no VACUUM (ANALYZE) after each bulk change"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "random_pick.json"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.size, args.calls, not args.no_tidy)))
        return
    results: dict[str, Any] = {}
    for db in args.db or ["sqlite"]:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                db,
                "--size",
                str(args.size),
                "--calls",
                str(args.calls),
                *(["--no-tidy"] if args.no_tidy else []),
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        results[db] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"\nreserve_random(5), {args.size:,} numbers, {args.calls} calls per row, right after"
        f" the bulk change; target ≤ {TARGET_MS:g} ms. Load average {os.getloadavg()[0]:.1f}"
        " (2 cores, shared)."
    )
    print("| database | layout | sold | first ms | median ms | p95 ms | max ms | tidy s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for db, rows in results.items():
        for r in rows:
            print(
                f"| {db} | {r['layout']} | {r['sold']:.2%} | {r['first_ms']} | {r['median_ms']}"
                f" | {r['p95_ms']} | {r['max_ms']} | {r.get('tidy_s', 0)} |"
            )
    write_results(args.out, "random_pick", vars(args), results)


if __name__ == "__main__":
    main()
