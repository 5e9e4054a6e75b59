"""The queue SQLite's writers wait in: a thread lock (threads of one process) plus an `flock`
on a file next to the database (processes), so the next writer is woken the moment the
previous one is done.

SQLite lets one writer in at a time. The others wait in its busy handler, which polls with
sleeps growing from 1 ms to 100 ms, so under a burst a waiter keeps sleeping long after the
lock came free, and the slowest short transactions wait many times their own length.
`config.sqlite_backend` takes this queue for every write transaction and every write
outside one; SQLite's own lock stays underneath (BEGIN IMMEDIATE, WAL) for programs that do
not queue. Re-entrant per thread. PostgreSQL locks rows, not the database: there `acquire`
does nothing.

`take_turn` takes only the thread lock: the calling thread's turn among the threads of its
process, without locking other processes out. A write inside the turn then adds the file
lock for its own length (`config.db.retry.one_at_a_time`): threads of one process that
interleave their Python around one-at-a-time writes fight over the GIL, and gain nothing.

Database infrastructure: imports only the standard library and Django, knows nothing of the
project's apps.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import TYPE_CHECKING, cast

from django.db.backends.base.base import BaseDatabaseWrapper

if TYPE_CHECKING:
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

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


def _path(connection: BaseDatabaseWrapper) -> str | None:
    if connection.vendor != "sqlite":
        return None
    if cast("SQLiteDatabaseWrapper", connection).is_in_memory_db():  # vendor "sqlite" says so
        return None
    return str(connection.settings_dict["NAME"])


def acquire(connection: BaseDatabaseWrapper) -> bool:
    """Take this database's write queue for the calling thread (re-entrant). Returns False,
    doing nothing, for PostgreSQL and in-memory SQLite. Pair with `release`."""
    path = _path(connection)
    return False if path is None else acquire_path(path)


def take_turn(connection: BaseDatabaseWrapper) -> bool:
    """Take the calling thread's turn among its process's threads (the thread lock alone;
    re-entrant). False, doing nothing, where `acquire` does nothing. Pair with `release`."""
    path = _path(connection)
    return False if path is None else _enter(path, flock=False)


def acquire_path(database: str) -> bool:
    """`acquire` for the SQLite database file at this path."""
    return _enter(database, flock=True)


def _enter(database: str, *, flock: bool) -> bool:
    depth = getattr(_held, "depth", 0)
    if not depth:
        lock, fd = _lock_for(database + SUFFIX)
        lock.acquire()
        _held.lock = (lock, fd)
        _held.flock_depth = 0
    _held.depth = depth + 1
    if flock and not _held.flock_depth:
        try:
            fcntl.flock(_held.lock[1], fcntl.LOCK_EX)
        except BaseException:
            _leave()
            raise
        _held.flock_depth = depth + 1
    return True


def release() -> None:
    if getattr(_held, "depth", 0):
        if _held.flock_depth == _held.depth:
            _held.flock_depth = 0
            fcntl.flock(_held.lock[1], fcntl.LOCK_UN)
        _leave()


def _leave() -> None:
    _held.depth -= 1
    if not _held.depth:
        lock, _ = _held.lock
        _held.lock = None
        lock.release()


def held() -> bool:
    return bool(getattr(_held, "depth", 0))
