"""Real database faults for the inbound retry tests, on the database the tests run on.

SQLite: another connection (the `sqlite3` module, outside Django's writer queue) holds the
write lock when the worker begins the message's transaction, with the worker's busy timeout
cut to 50 ms: the worker meets a real "database is locked". The lock is let go right after
that failure (a brief outage), or kept for several failures.

PostgreSQL: another connection terminates the worker's backend (`pg_terminate_backend`) while
the handler runs: the handler's next statement meets a real dropped connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from messaging.bot import handlers
from messaging.channel import processing
from messaging.models import InboundMessage

SQLITE_BUSY_MS = 50
SQLITE_DEFAULT_BUSY_MS = 20000


class Fault:
    """Makes the handling of the messages whose text is in `texts` meet a real fault, `times`
    times each (then the database answers again)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.left: dict[str, int] = {}
        self.met: list[str] = []

    def arm(self, *texts: str, times: int = 1) -> Fault:
        for text in texts:
            self.left[text] = times
        if connection.vendor == "sqlite":
            self._arm_sqlite()
        else:
            self._arm_postgresql()
        return self

    def _take(self, message: InboundMessage) -> bool:
        left = self.left.get(message.text, 0)
        if left <= 0:
            return False
        self.left[message.text] = left - 1
        self.met.append(message.text)
        return True

    # -- SQLite: the write lock held by another connection ---------------------------------
    def _arm_sqlite(self) -> None:
        original: Callable[..., Any] = processing.handle_message
        path = str(connection.settings_dict["NAME"])

        def locked_once(message: InboundMessage) -> Any:
            if not self._take(message):
                return original(message)
            holder = sqlite3.connect(path, isolation_level=None, timeout=5)
            holder.execute("BEGIN IMMEDIATE")  # the write lock, outside Django's queue
            released = False

            def release_after_lock_error(execute: Any, sql: str, *args: Any) -> Any:
                nonlocal released
                try:
                    return execute(sql, *args)
                except OperationalError as exc:
                    if not released and "locked" in str(exc):
                        released = True
                        holder.execute("ROLLBACK")
                    raise

            connection.ensure_connection()
            connection.cursor().execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            try:
                with connection.execute_wrapper(release_after_lock_error):
                    return original(message)
            finally:
                if not released:
                    holder.execute("ROLLBACK")
                holder.close()
                connection.cursor().execute(f"PRAGMA busy_timeout={SQLITE_DEFAULT_BUSY_MS}")

        self.monkeypatch.setattr(processing, "handle_message", locked_once)

    # -- PostgreSQL: the worker's backend terminated mid-handler ---------------------------
    def _arm_postgresql(self) -> None:
        original: Callable[..., Any] = handlers.handle_inbound

        def terminated(message: InboundMessage) -> Any:
            if self._take(message):
                terminate_backend(connection.connection.info.backend_pid)
            return original(message)

        self.monkeypatch.setattr(handlers, "handle_inbound", terminated)


def terminate_backend(pid: int) -> None:
    """From another connection: end a backend and wait until it has gone."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()
