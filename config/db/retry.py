"""Whole-transaction helpers: re-run a transaction PostgreSQL aborted for a deadlock or a
serialization failure, and run a call in the thread's turn on SQLite."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from config.db import writelock

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATEs for a deadlock and a serialization failure: the transaction was
# rolled back whole and may simply be run again.
RETRYABLE = frozenset({"40P01", "40001"})
ATTEMPTS = 8


def retry_on_conflict[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Re-run a whole transaction that PostgreSQL aborted for a deadlock or serialization
    failure (two transactions touching the same rows in different orders). Never hides
    other errors; gives up after a few tries."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(ATTEMPTS):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                sqlstate = getattr(exc.__cause__, "sqlstate", None)
                if sqlstate not in RETRYABLE or attempt == ATTEMPTS - 1:
                    raise
                logger.info("retrying %s after %s", func.__name__, sqlstate)
        raise AssertionError("unreachable")

    return wrapper


def one_at_a_time[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """On SQLite, run the whole call in the thread's turn among its process's threads
    (`writelock.take_turn`): the write is one at a time anyway, and threads that interleave
    their Python around it cost more in GIL handovers than they gain. Other processes are
    not held up: they wait only for the write itself. Does nothing on PostgreSQL."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        turn = writelock.take_turn(connections[DEFAULT_DB_ALIAS])
        try:
            return func(*args, **kwargs)
        finally:
            if turn:
                writelock.release()

    return wrapper
