"""The report of bench/reservations.py: each figure beside its target, as markdown."""

from __future__ import annotations

import os
import platform
import statistics
import time
from datetime import UTC, datetime
from typing import Any

TARGETS = {
    "generate_sqlite_s": 10.0,
    "throughput_16": 2000.0,
    "random_ms": 5.0,
}


def verdict(value: float | None, target: float, higher_is_better: bool) -> str:
    if value is None:
        return "n/a"
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    ratio = target / value if higher_is_better else value / target
    return f"MISSED ({ratio:.1f}× off)"


def machine_speed() -> str:
    """How fast this machine is, to compare runs across machines: a pure-Python loop, and
    (on PostgreSQL) one `SELECT 1` round trip through Django."""
    from django.db import connection

    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i
    loop_ns = (time.perf_counter() - started) / 2_000_000 * 1e9
    text = f"Python loop {loop_ns:.0f} ns/iteration"
    if connection.vendor == "postgresql":
        trips = []
        with connection.cursor() as cursor:
            for _ in range(2000):
                t0 = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchone()
                trips.append(time.perf_counter() - t0)
        text += f", SELECT 1 round trip {statistics.median(trips) * 1e6:.0f} µs"
    return text


def _cpu_text(row: dict[str, Any]) -> str:
    """CPU per reservation, and the rate at which it would fill every core."""
    cpu = row["client_cpu_ms"] + row["db_cpu_ms"]
    split = f" = {row['client_cpu_ms']} Python + {row['db_cpu_ms']} PostgreSQL" * bool(
        row["db_cpu_ms"]
    )
    ceiling = (os.cpu_count() or 1) * 1000 / cpu if cpu else 0
    return f"{cpu:.2f} ms/reservation{split}, all cores ≈ {ceiling:,.0f}/s"


def report(db: str, results: dict[str, Any], command: str) -> str:
    lines = [
        f"### {db} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, load average {results['load']}",
        "",
        f"Machine: {results['speed']}.",
        "",
        f"`{command}`",
        "",
        "| measurement | result | target | verdict |",
        "| --- | --- | --- | --- |",
    ]
    if "generate_s" in results:
        target = TARGETS["generate_sqlite_s"] if db == "sqlite" else None
        lines.append(
            f"| generate {results['size']:,} numbers | {results['generate_s']:.1f} s |"
            f" {f'≤ {target:.0f} s' if target else '—'} |"
            f" {verdict(results['generate_s'], target, False) if target else '—'} |"
        )
    for row in results.get("throughput", []):
        target = TARGETS["throughput_16"] if row["workers"] == 16 else None
        lines.append(
            f"| reservations/s, {row['workers']} {row['mode']}"
            f" (median {row['median_ms']} ms, p95 {row['p95_ms']} ms;"
            f" {row['refused'].total()} refused, {row['unexpected']} errors,"
            f" {row['retries']} retries; CPU {_cpu_text(row)})"
            f" | {row['per_second']:,} /s | {f'≥ {target:,.0f} /s' if target else '—'} |"
            f" {verdict(row['per_second'], target, True) if target else '—'} |"
        )
    for label, row in results.get("random", {}).items():
        target = TARGETS["random_ms"] if label != "99.99 %" else None
        lines.append(
            f"| reserve_random(5), {label} sold (median; p95 {row['p95_ms']} ms,"
            f" {row['calls']} calls) | {row['median_ms']} ms |"
            f" {f'≤ {target:.0f} ms' if target else '—'} |"
            f" {verdict(row['median_ms'], target, False) if target else '—'} |"
        )
    if "reads" in results:
        row = results["reads"]
        for key, what in (
            ("refused_ms", "a refused reserve_specific (nearest free numbers included)"),
            ("counts_ms", "the raffle's counts (sold, held, free)"),
            ("ranges_ms", "the free numbers as ranges (API availability)"),
        ):
            lines.append(
                f"| {what}, 20,000 holds (median of {row['calls']}) | {row[key]} ms | — | — |"
            )
    return "\n".join(lines)
