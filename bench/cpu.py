"""CPU accounting for the benchmarks, from /proc: the machine is shared, so the CPU time a
run used says more than its wall time."""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from pathlib import Path

from benchdb import PG_ADMIN_URL

TICK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far), from /proc. Counts the children it has reaped
    (django-q2 replaces a worker every 500 tasks; gunicorn may replace workers too)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / TICK)
    return found


def cpu_seconds(root: int, extra: Callable[[], set[int]] = set) -> float:
    """CPU time of a process, its descendants and `extra()` processes (database backends)."""
    stats = _proc_stats()
    wanted, changed = {root, *extra()}, True
    while changed:
        more = {pid for pid, (parent, _) in stats.items() if parent in wanted} - wanted
        wanted |= more
        changed = bool(more)
    return sum(stats[pid][1] for pid in wanted if pid in stats)


def postgres_backends(database_url: str) -> Callable[[], set[int]]:
    if not database_url.startswith("postgres"):
        return set
    import psycopg

    name = database_url.rsplit("/", 1)[1]

    def pids() -> set[int]:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
            ).fetchall()
        return {row[0] for row in rows}

    return pids


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postmaster_of(backend_pid: int) -> int:
    """The PostgreSQL server process a backend was forked from. `cpu_seconds` of it counts
    every backend, those that have exited too (their time moves to the server's own
    cutime/cstime when it reaps them)."""
    return _proc_stats()[backend_pid][0]
