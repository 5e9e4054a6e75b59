"""Queue SQLite writers (the webhook, reservations) in the kernel, not in SQLite's busy handler.

SQLite lets one writer in at a time. The others wait in its busy handler, which polls with
sleeps growing from 1 ms to 100 ms, so under a burst a waiter keeps sleeping long after the
lock came free: with 8 concurrent webhook POSTs, p99 was 0.6 to 0.9 s for transactions of about
1 ms. Here a thread lock (the threads of one process) and an `flock` on a file next to the
database (the processes) queue them instead, and the next writer is woken as soon as the
previous one is done. The transaction itself is unchanged (BEGIN IMMEDIATE, WAL): other writers
(tasks, the portal) still meet the webhook in SQLite's own lock, exactly as before.
PostgreSQL locks rows, not the database: there this does nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

SUFFIX = "-writelock"

_guard = threading.Lock()
_held = threading.local()  # depth of this thread's hold, and which lock
_locks: dict[tuple[int, str], tuple[threading.Lock, int]] = {}  # (pid, path) -> (lock, fd)


def _lock_for(path: str) -> tuple[threading.Lock, int]:
    """One thread lock and one open file per process (an flock is per open file, and a
    forked child must not share its parent's)."""
    key = (os.getpid(), path)
    with _guard:
        found = _locks.get(key)
        if found is None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            found = _locks[key] = (threading.Lock(), fd)
        return found


def acquire(connection: BaseDatabaseWrapper) -> bool:
    """Take this database's write queue for the calling thread (re-entrant). Returns False,
    doing nothing, for PostgreSQL and in-memory SQLite. Pair with `release`."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return False
    return acquire_path(str(connection.settings_dict["NAME"]))


def acquire_path(database: str) -> bool:
    """`acquire` for the SQLite database file at this path."""
    depth = getattr(_held, "depth", 0)
    if depth:
        _held.depth = depth + 1
        return True
    lock, fd = _lock_for(database + SUFFIX)
    lock.acquire()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        lock.release()
        raise
    _held.depth = 1
    _held.lock = (lock, fd)
    return True


def release() -> None:
    depth = getattr(_held, "depth", 0)
    if depth > 1:
        _held.depth = depth - 1
        return
    if depth == 1:
        lock, fd = _held.lock
        _held.depth = 0
        _held.lock = None
        fcntl.flock(fd, fcntl.LOCK_UN)
        lock.release()


def held() -> bool:
    return bool(getattr(_held, "depth", 0))


@contextlib.contextmanager
def sqlite_writer(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Wrap a short write transaction: `with sqlite_writer(), transaction.atomic(): ...`.

    With the project's SQLite backend (`config.sqlite_backend`) every transaction queues
    here already; this stays for callers that want the queue around more than one."""
    connection = connections[using]
    if connection.in_atomic_block and not held():
        yield  # already inside a transaction (it holds SQLite's lock already)
        return
    taken = acquire(connection)
    try:
        yield
    finally:
        if taken:
            release()
