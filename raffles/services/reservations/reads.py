"""The reads every store shares: the raffle with its terms, the free numbers near some
numbers (`nearby`), the next free number after random starting points (`probe`), which of some
numbers are claimable (`claimable_among`) and the claimable numbers of a nearly sold-out
raffle (`claimable_upto`), each in one statement through Django's cursor; and the cursor a
claim writes through."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from raffles.models import Raffle, TicketNumber
from raffles.services.reservations.columns import (
    AVAILABLE,
    CLAIMABLE,
    RESERVED,
    select_sql,
    terms_sql,
)


@functools.lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    """A statement in Django's placeholder style (`%s`, no literal `%`) in sqlite3's (`?`)."""
    return sql.replace("%s", "?")


class DriverCursor:
    """The driver's own connection (`sqlite3`), for the statements Django's cursor would run,
    under Django's error wrapping: same text (placeholders converted), same parameters."""

    __slots__ = ("_cursor", "_raw", "_wrap")

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        if connection.connection is None:
            connection.ensure_connection()
        self._raw = connection.connection
        self._wrap = connection.wrap_database_errors
        self._cursor: Any = None

    def __enter__(self) -> DriverCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cursor = None

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self._wrap:
            if params is None:
                self._cursor = self._raw.execute(sql)
            else:
                self._cursor = self._raw.execute(_qmark(sql), params)

    def fetchone(self) -> Any:
        with self._wrap:
            return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        with self._wrap:
            rows: list[Any] = self._cursor.fetchall()
        return rows


def claim_cursor(connection: BaseDatabaseWrapper) -> Any:
    """Where a SQLite claim runs its statements: Django's cursor while queries are logged or
    counted, so they are seen; otherwise the driver (see raffles.services.reservations.sqlite)."""
    if connection.queries_logged:
        return connection.cursor()
    return DriverCursor(connection)


@functools.cache
def load_sql(vendor: str) -> str:
    sql, _, _ = select_sql(Raffle, vendor)
    head, tail = sql.split(" FROM ", 1)
    return f"{head}, {terms_sql(vendor)} FROM {tail}"


@functools.cache
def probe_sql(count: int) -> str:
    one = (
        f"SELECT (SELECT number FROM {TicketNumber._meta.db_table}"  # noqa: S608
        f" WHERE raffle_id = %s AND status = '{AVAILABLE}' AND number >= %s"
        " ORDER BY number LIMIT 1)"
    )
    return " UNION ALL ".join([one] * count)


@functools.cache
def nearby_sql(count: int) -> str:
    table = TicketNumber._meta.db_table
    free = (
        f"SELECT number FROM (SELECT number FROM {table} WHERE raffle_id = %s"  # noqa: S608
        f" AND status = '{AVAILABLE}' AND number {{op}} %s ORDER BY number {{order}}"
        " LIMIT %s) AS n{i}"
    )
    parts = []
    for i in range(count):
        parts.append(free.format(op=">", order="", i=2 * i))
        parts.append(free.format(op="<", order="DESC", i=2 * i + 1))
    parts.append(
        f"SELECT number FROM (SELECT number FROM {table} WHERE raffle_id = %s"  # noqa: S608
        f" AND status = '{RESERVED}' AND reserved_until < %s ORDER BY reserved_until"
        " LIMIT %s) AS lapsed"
    )
    return " UNION ALL ".join(parts)


@functools.cache
def among_sql(vendor: str) -> str:
    """Which of a list of numbers are claimable: point lookups on (raffle, number), whose
    cost does not depend on the raffle's size, its statistics or how its sales lie. The list
    is one parameter (an array; JSON text on SQLite)."""
    table = TicketNumber._meta.db_table
    listed = (
        "number = ANY(%s::bigint[])"
        if vendor == "postgresql"
        else "number IN (SELECT value FROM json_each(%s))"
    )
    return (
        f"SELECT number FROM {table} WHERE raffle_id = %s AND {listed}"  # noqa: S608
        f" AND {CLAIMABLE.format(now='%s')}"
    )


@functools.cache
def upto_sql() -> str:
    """Up to N free numbers and up to N holds past their time. The free ones are asked for as
    a range of statuses ordered by (status, number): only the (raffle, status, number) index
    yields that order, so the plan is a range over the free numbers whatever the statistics
    say (with `status = …` the planner drops the status from the order and may walk the
    whole raffle on (raffle, number) when its statistics predate a bulk sale)."""
    table = TicketNumber._meta.db_table
    return (
        f"SELECT number FROM (SELECT number FROM {table} WHERE raffle_id = %s"  # noqa: S608
        f" AND status >= '{AVAILABLE}' AND status <= '{AVAILABLE}'"
        " ORDER BY status, number LIMIT %s) AS free"
        f" UNION ALL SELECT number FROM (SELECT number FROM {table} WHERE raffle_id = %s"
        f" AND status = '{RESERVED}' AND reserved_until < %s ORDER BY reserved_until"
        " LIMIT %s) AS lapsed"
    )


class StoreReads:
    """The reads of `ReservationStore`, the same on every database."""

    __slots__ = ("connection",)

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def load_raffle(self, pk: int) -> tuple[Raffle, str] | None:
        connection = self.connection
        _, names, converters = select_sql(Raffle, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(load_sql(connection.vendor), [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row[:-1])
        for i, fn, col in converters:
            values[i] = fn(values[i], col, connection)
        return Raffle.from_db(connection.alias, names, values), str(row[-1])

    def _time(self, value: datetime) -> Any:
        return value

    def nearby(
        self, raffle_id: int, around: Sequence[int], per_side: int, lapsed: int, now: datetime
    ) -> list[int]:
        params: list[Any] = []
        for number in around:
            params += (raffle_id, number, per_side, raffle_id, number, per_side)
        params += (raffle_id, self._time(now), lapsed)
        with self.connection.cursor() as cursor:
            cursor.execute(nearby_sql(len(around)), params)
            return [row[0] for row in cursor.fetchall()]

    def probe(self, raffle_id: int, starts: Sequence[int]) -> list[int | None]:
        params: list[Any] = []
        for start in starts:
            params += (raffle_id, start)
        with self.connection.cursor() as cursor:
            cursor.execute(probe_sql(len(starts)), params)
            return [row[0] for row in cursor.fetchall()]

    def claimable_among(self, raffle_id: int, numbers: Sequence[int], now: datetime) -> list[int]:
        if not numbers:
            return []
        listed: Any = list(numbers)
        if self.connection.vendor != "postgresql":
            listed = json.dumps(listed)
        with self.connection.cursor() as cursor:
            cursor.execute(among_sql(self.connection.vendor), [raffle_id, listed, self._time(now)])
            return [row[0] for row in cursor.fetchall()]

    def claimable_upto(self, raffle_id: int, limit: int, now: datetime) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(upto_sql(), [raffle_id, limit, raffle_id, self._time(now), limit])
            return [row[0] for row in cursor.fetchall()]
