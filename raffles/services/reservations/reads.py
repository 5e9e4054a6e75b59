"""The reads every store shares: the raffle with its terms, the free numbers near some
numbers (`nearby`) and the next free number after random starting points (`probe`), each in
one statement through Django's cursor."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from raffles.models import Raffle, TicketNumber
from raffles.services.reservations.columns import AVAILABLE, RESERVED, select_sql, terms_sql


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
