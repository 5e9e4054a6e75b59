"""Which database errors are worth trying again, and getting a fresh connection after one.

Transient: the database is unavailable or dropped the connection, a deadlock or serialization
failure, a lock timeout, SQLite's "database is locked". The same work can succeed a moment
later. Anything else (a bug, a constraint the data breaks, a missing table) fails the same
way every time.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import InterfaceError, OperationalError, connection

# PostgreSQL SQLSTATEs: class 08 (connection exception) and these.
TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available (lock_timeout, NOWAIT)
        "57P01",  # admin_shutdown (pg_terminate_backend, a restart)
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up, recovering)
        "53300",  # too_many_connections
    }
)
# At the webhook, any of these answers 503 so Meta delivers again later: while nothing is
# stored, a broken database (even one that fails the same way each time) must not park items.
OUTAGE = (OperationalError, InterfaceError)
SQLITE_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED")  # and their extended codes
SQLITE_TRANSIENT_TEXT = ("database is locked", "database table is locked")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The error and the ones it was explicitly raised from (`raise ... from`)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__


def _transient_operational(error: OperationalError) -> bool:
    driver = error.__cause__
    if driver is not None and hasattr(driver, "sqlstate"):  # psycopg
        sqlstate = driver.sqlstate
        # No SQLSTATE: the client lost the server (connection closed, reset, timed out).
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in TRANSIENT_SQLSTATES
    name = getattr(driver, "sqlite_errorname", "") or ""
    if name.startswith(SQLITE_TRANSIENT):
        return True
    text = str(error).lower()
    return any(part in text for part in SQLITE_TRANSIENT_TEXT)


def is_transient(exc: BaseException) -> bool:
    """True for a database error that may well not happen again (see the module docstring)."""
    for error in _chain(exc):
        if isinstance(error, InterfaceError):  # the connection is closed or unusable
            return True
        if isinstance(error, OperationalError) and _transient_operational(error):
            return True
    return False


def drop_broken_connection() -> None:
    """Close the connection if it no longer works, so the next query opens a new one. Only
    outside a transaction (inside one, the transaction's owner decides)."""
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()
