"""The floor under the reservation engine: how many reservations per second the database itself
allows on this machine when none of the project's Python runs around it. Run by hand; not a test.

    uv run python bench/reservation_floor.py --db sqlite
    uv run python bench/reservation_floor.py --db postgres

Same schema (the project's migrations), same 1,000,000-number raffle and the same load as the
throughput part of bench/reservations.py: each worker reserves 1-3 specific random numbers in a
loop. Each worker drives the database through the bare driver (`sqlite3`, `psycopg`), with the
statements built once:

  sqlite    one write transaction per reservation, queued the way the project queues writers
            (config.db.writelock): BEGIN IMMEDIATE, INSERT the order, the conditional UPDATE that
            claims the numbers, INSERT the order's numbers and its audit event, COMMIT; a
            ROLLBACK when a number was taken.
  postgres  one statement per reservation, in autocommit: lock the claimable rows (FOR UPDATE,
            in number order), and only when every number is there insert the order, claim the
            numbers and record them and the event. It is the smallest design that keeps the
            rules: one round trip, no BEGIN/COMMIT.

What it leaves out, next to a real reservation: loading and checking the raffle, the buyer's
limit, messaging's contact lookup, the nearest free numbers on a refusal, and Django. So it is
an upper bound: if 16 workers cannot reach 2,000/s here, no Python around it can. With
`--reads`, each reservation also loads the raffle's row first and looks up the buyer's
WhatsApp contact (inside the transaction on SQLite, after the statement on PostgreSQL), the
two reads every real reservation makes. With `--per-commit N` (SQLite), N reservations share
one write transaction, each in a savepoint: what a writer combining concurrent requests would
do.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import reservations as bench

HOLD = timedelta(minutes=30)
CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def tables() -> dict[str, str]:
    from messaging.models import Contact
    from raffles.models import Order, OrderEvent, OrderTicket, Raffle, TicketNumber

    return {
        "raffle": Raffle._meta.db_table,
        "contact": Contact._meta.db_table,
        "order": Order._meta.db_table,
        "event": OrderEvent._meta.db_table,
        "numbers": OrderTicket._meta.db_table,
        "tickets": TicketNumber._meta.db_table,
    }


ORDER_COLUMNS = (
    "code, raffle_id, buyer_id, qty, total_amount, status, created_at, updated_at, expires_at"
)
EVENT_COLUMNS = "order_id, raffle_id, kind, actor_type, actor_label, created_at, details"


def sqlite_statements() -> dict[str, str]:
    t = tables()
    return {
        "order": f"INSERT INTO {t['order']} ({ORDER_COLUMNS})"  # noqa: S608
        " VALUES (?, ?, ?, ?, ?, 'PENDING_PAYMENT', ?, ?, ?) RETURNING id",
        "claim": f"UPDATE {t['tickets']} SET status = 'RESERVED', reserved_by_order_id = ?,"  # noqa: S608
        " reserved_until = ? WHERE raffle_id = ? AND number IN ({numbers})"
        " AND (status = 'AVAILABLE' OR (status = 'RESERVED' AND reserved_until < ?))"
        " RETURNING number",
        "numbers": f"INSERT INTO {t['numbers']} (order_id, number) VALUES {{values}}",  # noqa: S608
        "event": f"INSERT INTO {t['event']} ({EVENT_COLUMNS})"  # noqa: S608
        " VALUES (?, ?, 'reserved', 'buyer', '', ?, ?)",
        "raffle": f"SELECT * FROM {t['raffle']} WHERE id = ?",  # noqa: S608
        "contact": f"SELECT id FROM {t['contact']} WHERE buyer_id = ? ORDER BY id LIMIT 1",  # noqa: S608
    }


POSTGRES_RESERVE = """
WITH s AS (
    SELECT id FROM {tickets}
    WHERE raffle_id = %(raffle)s AND number = ANY(%(numbers)s)
      AND (status = 'AVAILABLE' OR (status = 'RESERVED' AND reserved_until < %(now)s))
    ORDER BY number FOR UPDATE
), o AS (
    INSERT INTO {order} ({order_columns})
    SELECT %(code)s, %(raffle)s, %(buyer)s, %(qty)s, %(total)s, 'PENDING_PAYMENT', %(now)s,
           %(now)s, %(until)s
    WHERE (SELECT count(*) FROM s) = %(qty)s
    ON CONFLICT (code) DO NOTHING RETURNING id
), c AS (
    UPDATE {tickets} AS t SET status = 'RESERVED', reserved_by_order_id = o.id,
           reserved_until = %(until)s
    FROM o WHERE t.id IN (SELECT id FROM s) RETURNING t.number
), k AS (
    INSERT INTO {numbers} (order_id, number) SELECT o.id, c.number FROM o, c
), e AS (
    INSERT INTO {event} ({event_columns})
    SELECT o.id, %(raffle)s, 'reserved', 'buyer', '', %(now)s, %(details)s FROM o
)
SELECT (SELECT id FROM o), (SELECT count(*) FROM c)
"""


def new_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_CHARS) for _ in range(10))


def sqlite_reserve(
    conn: sqlite3.Connection, statements: dict[str, str], job: dict[str, Any], rng: random.Random
) -> bool:
    """One reservation's statements, in the caller's transaction: True when every number was
    claimed (else the caller rolls back)."""
    numbers = sorted(rng.sample(range(job["size"]), rng.randint(1, 3)))
    now = datetime.now(UTC).replace(tzinfo=None)
    until = (now + HOLD).isoformat(" ")
    stamp = now.isoformat(" ")
    claim = statements["claim"].format(numbers=", ".join("?" * len(numbers)))
    order = [new_code(rng), job["raffle"], job["buyer"], len(numbers), str(5 * len(numbers))]
    (order_id,) = conn.execute(statements["order"], [*order, stamp, stamp, until]).fetchone()
    got = conn.execute(claim, [order_id, until, job["raffle"], *numbers, stamp]).fetchall()
    if len(got) != len(numbers):
        return False
    values = ", ".join(["(?, ?)"] * len(numbers))
    params = [x for n in numbers for x in (order_id, n)]
    conn.execute(statements["numbers"].format(values=values), params)
    details = json.dumps({"numbers": numbers, "expires_at": until})
    conn.execute(statements["event"], [order_id, job["raffle"], stamp, details])
    if job["reads"]:
        conn.execute(statements["contact"], [job["buyer"]]).fetchone()
    return True


def sqlite_worker(job: dict[str, Any]) -> tuple[int, int, float, float]:
    """Reserve until time is up: (reserved, refused, started, ended). With `per_commit` > 1,
    that many reservations share one write transaction, each in its own savepoint (what a
    writer combining concurrent requests would do)."""
    from config.db import writelock

    statements = sqlite_statements()
    conn = sqlite3.connect(job["path"], isolation_level=None, timeout=20)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    rng = random.Random(job["seed"])
    batch = job["per_commit"]
    ok = refused = 0
    started = time.perf_counter()
    deadline = started + job["seconds"]
    while time.perf_counter() < deadline:
        if job["reads"]:
            conn.execute(statements["raffle"], [job["raffle"]]).fetchone()
        writelock.acquire_path(job["path"])
        try:
            conn.execute("BEGIN IMMEDIATE")
            if batch == 1:
                done = sqlite_reserve(conn, statements, job, rng)
                conn.execute("COMMIT" if done else "ROLLBACK")
                ok, refused = ok + done, refused + (not done)
                continue
            for _ in range(batch):
                conn.execute("SAVEPOINT r")
                done = sqlite_reserve(conn, statements, job, rng)
                if not done:
                    conn.execute("ROLLBACK TO r")
                conn.execute("RELEASE r")
                ok, refused = ok + done, refused + (not done)
            conn.execute("COMMIT")
        finally:
            writelock.release()
    ended = time.perf_counter()
    conn.close()
    return ok, refused, started, ended


def postgres_worker(job: dict[str, Any]) -> tuple[int, int, float, float]:
    import psycopg

    sql = POSTGRES_RESERVE.format(
        order_columns=ORDER_COLUMNS, event_columns=EVENT_COLUMNS, **tables()
    )
    t = tables()
    raffle_sql = f"SELECT * FROM {t['raffle']} WHERE id = %s"  # noqa: S608
    contact_sql = f"SELECT id FROM {t['contact']} WHERE buyer_id = %s ORDER BY id LIMIT 1"  # noqa: S608
    conn = psycopg.connect(job["url"], autocommit=True, prepare_threshold=0)
    rng = random.Random(job["seed"])
    ok = refused = 0
    started = time.perf_counter()
    deadline = started + job["seconds"]
    while time.perf_counter() < deadline:
        numbers = sorted(rng.sample(range(job["size"]), rng.randint(1, 3)))
        if job["reads"]:
            conn.execute(raffle_sql, [job["raffle"]]).fetchone()
        now = datetime.now(UTC)
        params = {
            "raffle": job["raffle"],
            "numbers": numbers,
            "now": now,
            "code": new_code(rng),
            "buyer": job["buyer"],
            "qty": len(numbers),
            "total": 5 * len(numbers),
            "until": now + HOLD,
            "details": json.dumps({"numbers": numbers, "expires_at": str(now + HOLD)}),
        }
        order_id, claimed = conn.execute(sql, params).fetchone()
        if order_id is not None and claimed == len(numbers):
            if job["reads"]:
                conn.execute(contact_sql, [job["buyer"]]).fetchone()
            ok += 1
        else:
            refused += 1
    ended = time.perf_counter()
    conn.close()
    return ok, refused, started, ended


def in_process(worker: Callable[..., Any], job: dict[str, Any], start: Any, out: Any) -> None:
    start.wait()
    out.put(worker(job))


def run(db: str, jobs: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    worker = sqlite_worker if db == "sqlite" else postgres_worker
    results: list[tuple[int, int, float, float]] = []
    if mode == "threads":
        barrier = threading.Barrier(len(jobs))

        def body(job: dict[str, Any]) -> None:
            barrier.wait()
            results.append(worker(job))

        threads = [threading.Thread(target=body, args=(job,)) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(len(jobs))
        queue = ctx.Queue()
        procs = [ctx.Process(target=in_process, args=(worker, j, barrier, queue)) for j in jobs]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    ok = sum(r[0] for r in results)
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    return {"ok": ok, "refused": sum(r[1] for r in results), "per_second": round(ok / wall)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", default="1,16")
    parser.add_argument("--modes", default="threads,processes")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument(
        "--reads", action="store_true", help="also load the raffle and look up the contact"
    )
    parser.add_argument(
        "--per-commit", type=int, default=1, help="SQLite: reservations per write transaction"
    )
    args = parser.parse_args()

    drop = bench.create_database(args.db)
    try:
        bench.setup_django()
        from django.db import connection, connections

        from raffles.models import Buyer

        speed = bench.machine_speed()
        raffle, _ = bench.generate(bench.SIZE)
        settings = connection.settings_dict
        base = {
            "raffle": raffle.pk,
            "size": raffle.size,
            "seconds": args.seconds,
            "reads": args.reads,
            "per_commit": args.per_commit,
        }
        if args.db == "sqlite":
            base["path"] = str(settings["NAME"])
        else:
            base["url"] = os.environ["DATABASE_URL"]
        buyers = [Buyer.objects.create(phone=f"+1555100{i:04d}").pk for i in range(16)]
        connections.close_all()
        print(f"Machine: {speed}.")
        print("| workers | reservations/s | refused | CPU ms/reservation |")
        print("| --- | --- | --- | --- |")
        seed = 0
        for mode in args.modes.split(","):
            for workers in map(int, args.workers.split(",")):
                jobs = []
                for i in range(workers):
                    seed += 1
                    jobs.append({**base, "buyer": buyers[i], "seed": seed})
                before = bench.own_cpu_seconds() + bench.database_cpu_seconds()
                connections.close_all()  # the workers use their own connections
                row = run(args.db, jobs, mode)
                time.sleep(0.3)  # let the postmaster reap the workers' backends
                cpu = bench.own_cpu_seconds() + bench.database_cpu_seconds() - before
                per = cpu * 1000 / max(row["ok"], 1)
                print(
                    f"| {workers} {mode} | {row['per_second']:,} | {row['refused']} | {per:.2f} |",
                    flush=True,
                )
        print(check(raffle.pk))
    finally:
        drop()


def check(raffle_id: int) -> str:
    """After the runs: every order lists exactly its qty numbers, and every held number is
    listed by the order holding it (all-or-nothing held, and nothing held twice)."""
    from django.db import connection

    t = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {t['order']} o WHERE o.raffle_id = %s AND o.qty <>"  # noqa: S608
            f" (SELECT count(*) FROM {t['numbers']} n WHERE n.order_id = o.id)",
            [raffle_id],
        )
        (wrong_qty,) = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*), (SELECT coalesce(sum(qty), 0) FROM {t['order']}"  # noqa: S608
            f" WHERE raffle_id = %s) FROM {t['tickets']} t WHERE t.raffle_id = %s"
            " AND t.status = 'RESERVED' AND EXISTS (SELECT 1 FROM"
            f" {t['numbers']} n WHERE n.order_id = t.reserved_by_order_id"
            " AND n.number = t.number)",
            [raffle_id, raffle_id],
        )
        held, ordered = cursor.fetchone()
    verdict = "consistent" if wrong_qty == 0 and held == ordered else "INCONSISTENT"
    return (
        f"Check: {verdict} ({wrong_qty} orders whose numbers do not add up to their qty;"
        f" {held:,} numbers held by the orders listing them, {ordered:,} ordered)."
    )


if __name__ == "__main__":
    main()
