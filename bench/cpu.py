"""CPU accounting for the benchmarks, from /proc: the machine is shared, so the CPU time a
run used says more than its wall time."""

from __future__ import annotations

import os
import resource
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


class BackendCPU:
    """CPU time of one database's PostgreSQL backends since this meter was made, sampled every
    `interval` seconds on a thread: a backend that starts and ends between the first and the
    last reading still counts (up to its last sample). Calling it samples once more and
    returns the seconds so far; on SQLite it is always 0. `close()` stops the thread."""

    def __init__(self, database_url: str, interval: float = 0.25) -> None:
        self._name = database_url.rsplit("/", 1)[1]
        self._conn: Any = None
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if database_url.startswith("postgres"):
            import psycopg

            self._conn = psycopg.connect(PG_ADMIN_URL, autocommit=True)
            stats = _proc_stats()
            for pid in self._pids():
                if pid in stats:
                    self._first[pid] = self._last[pid] = stats[pid][1]
            self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
            self._thread.start()

    def _pids(self) -> set[int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self._name,)
            ).fetchall()
        return {row[0] for row in rows}

    def _sample(self) -> None:
        pids, stats = self._pids(), _proc_stats()
        with self._lock:
            for pid in pids:
                if pid in stats:
                    self._first.setdefault(pid, 0.0)  # started after the meter: all of it
                    self._last[pid] = max(self._last.get(pid, 0.0), stats[pid][1])

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._sample()

    def __call__(self) -> float:
        if self._thread is None:
            return 0.0
        self._sample()
        with self._lock:
            return sum(self._last[pid] - self._first[pid] for pid in self._last)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._conn.close()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postmaster_of(backend_pid: int) -> int:
    """The PostgreSQL server process a backend was forked from. `cpu_seconds` of it counts
    every backend, those that have exited too (their time moves to the server's own
    cutime/cstime when it reaps them)."""
    return _proc_stats()[backend_pid][0]
