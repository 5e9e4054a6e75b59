"""Django's SQLite backend, with writers queued in the kernel instead of SQLite's busy handler.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls with
sleeps growing from 1 ms to 100 ms, so under load a waiter keeps sleeping long after the lock
came free. Here every write transaction (BEGIN IMMEDIATE … COMMIT/ROLLBACK) and every write
statement outside a transaction first takes `raffles.writelock`'s queue (a thread lock plus an
`flock` next to the database file), and the next writer is woken the moment the previous one
finishes. Readers never queue (WAL). SQLite's own lock and busy timeout stay as the backstop
for writers that do not use this backend (the `sqlite3` shell, another program).
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

from raffles import writelock

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class DatabaseWrapper(base.DatabaseWrapper):
    _queued = False

    def _start_transaction_under_autocommit(self) -> None:
        self._queued = writelock.acquire(self)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._dequeue()
            raise

    def _dequeue(self) -> None:
        if self._queued:
            self._queued = False
            writelock.release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._dequeue()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._dequeue()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._dequeue()

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.database = None if self.is_in_memory_db() else str(self.settings_dict["NAME"])
        return cursor


class QueuedCursor(base.SQLiteCursorWrapper):
    """A write statement run outside a transaction (autocommit) queues for its own length."""

    database: str | None = None

    def execute(self, query: str, params: Any = None) -> Any:
        if not self._autocommit_write(query):
            return super().execute(query, params)
        return self._queued(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if not self._autocommit_write(query):
            return super().executemany(query, param_list)
        return self._queued(super().executemany, query, param_list)

    def _autocommit_write(self, query: str) -> bool:
        return (
            self.database is not None
            and not self.connection.in_transaction
            and query.lstrip()[:7].upper().startswith(WRITES)
        )

    def _queued(self, run: Any, query: str, params: Any) -> Any:
        taken = writelock.acquire_path(self.database)  # type: ignore[arg-type]
        try:
            return run(query, params)
        finally:
            if taken:
                writelock.release()
