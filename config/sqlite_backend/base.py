"""Django's SQLite backend, with writers queued in the kernel instead of SQLite's busy handler.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls with
sleeps growing from 1 ms to 100 ms, so under load a waiter keeps sleeping long after the lock
came free. Here every write transaction (BEGIN IMMEDIATE … COMMIT/ROLLBACK) and every write
statement outside a transaction first takes `config.db.writelock`'s queue (a thread lock plus an
`flock` next to the database file), and the next writer is woken the moment the previous one
finishes. Readers never queue (WAL). SQLite's own lock and busy timeout stay as the backstop
for writers that do not use this backend (the `sqlite3` shell, another program).

The database file is created 0600 (SQLite gives its -wal and -shm files the database's mode),
and an existing database, -wal or -shm file that others may read is narrowed to 0600.
"""

from __future__ import annotations

import logging
import os
import stat
from typing import Any

from django.db.backends.sqlite3 import base

from config.db import writelock

logger = logging.getLogger(__name__)

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
PRIVATE = 0o600


def _database_path(name: Any) -> str | None:
    """The file behind a connection's NAME, or None for in-memory and URI databases."""
    path = str(name)
    if not path or path == ":memory:" or path.startswith("file:") or "mode=memory" in path:
        return None
    return path


def make_private(path: str) -> None:
    """Create the database file 0600 if it does not exist; narrow it (and its -wal and -shm)
    to 0600 if group or others may use it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
    except OSError:  # a folder that does not exist: SQLite reports it
        return
    for file in (path, path + "-wal", path + "-shm"):
        try:
            info = os.stat(file)
            if info.st_mode & 0o077 and info.st_uid == os.geteuid():
                os.chmod(file, stat.S_IMODE(info.st_mode) & 0o700)
                logger.warning("%s could be read by other accounts: made private (0600)", file)
        except FileNotFoundError:
            continue


class DatabaseWrapper(base.DatabaseWrapper):
    _queued = False

    def get_new_connection(self, conn_params: Any) -> Any:
        path = _database_path(conn_params.get("database", ""))
        if path is not None:
            make_private(path)
        connection = super().get_new_connection(conn_params)
        if path is not None:
            make_private(path)  # -wal and -shm exist now (the WAL pragma opened them)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        self._queued = writelock.acquire(self)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private: not in django-stubs
        except BaseException:
            self._dequeue()
            raise

    def _dequeue(self) -> None:
        if self._queued:
            self._queued = False
            writelock.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private: not in django-stubs
        finally:
            self._dequeue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private: not in django-stubs
        finally:
            self._dequeue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private: not in django-stubs
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
        assert self.database is not None  # _autocommit_write queues file databases only
        taken = writelock.acquire_path(self.database)
        try:
            return run(query, params)
        finally:
            if taken:
                writelock.release()
