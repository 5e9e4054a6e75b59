"""The reservation hot path in plain SQL that SQLite (3.35+) and PostgreSQL both speak.

A reservation is a handful of statements; built through the ORM, each one cost more Python
than the database spent running it, and on SQLite every microsecond inside the transaction is
a microsecond every other writer waits. These helpers send the same statements the ORM
would, with values prepared by the models' own fields (so datetimes, decimals and JSON are
stored exactly as the ORM stores them), and nothing else. Table and column names come from
the models' `_meta`, never from input; every value is a query parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from raffles.models import Order, OrderEvent, OrderTicket, TicketNumber

AVAILABLE = TicketNumber.Status.AVAILABLE.value
RESERVED = TicketNumber.Status.RESERVED.value


def _db() -> BaseDatabaseWrapper:
    # Looked up once per statement: every attribute read through `django.db.connection`
    # goes through a context-local lookup, and a reservation made ~25 of them.
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def _select_sql(model: type[Model], vendor: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    connection = _db()
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql = f"SELECT {columns} FROM {model._meta.db_table} WHERE {pk} = %s"  # noqa: S608
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        fns = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
        converters += [(i, fn, col) for fn in fns]
    return sql, tuple(f.attname for f in fields), tuple(converters)


def get[M: Model](model: type[M], pk: int) -> M | None:
    """The row with this primary key as a model instance, as `objects.get` would build it
    (same converters, `from_db`), without compiling a query each time."""
    connection = _db()
    sql, names, converters = _select_sql(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, fn, col in converters:
        values[i] = fn(values[i], col, connection)
    return model.from_db(connection.alias, names, values)


@functools.cache
def _insert_sql(
    model: type[Model], vendor: str, returning: bool, conflict: str | None
) -> tuple[str, tuple]:
    connection = _db()
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({values})"  # noqa: S608
    if conflict:
        sql += f" ON CONFLICT ({connection.ops.quote_name(conflict)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    return sql, fields


def _values(obj: Model, fields: tuple, connection: BaseDatabaseWrapper) -> list[Any]:
    """The instance's column values as the ORM would send them (datetimes, decimals, JSON)."""
    return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]


def _saved(obj: Model, pk: int, connection: BaseDatabaseWrapper) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert(obj: Model, *, conflict: str | None = None) -> bool:
    """INSERT one unsaved instance (no signals, no savepoint) and set its primary key.

    With `conflict` (a unique column), a clash inserts nothing and returns False instead of
    raising, so the surrounding transaction stays usable on PostgreSQL.
    """
    connection = _db()
    sql, fields = _insert_sql(type(obj), connection.vendor, True, conflict)
    params = _values(obj, fields, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(obj, row[0], connection)
    return True


def _tickets_sql(order_id: int, numbers: Sequence[int]) -> tuple[str, list[Any]]:
    table = OrderTicket._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(numbers))
    params: list[Any] = []
    for number in numbers:
        params += (order_id, number)
    return f"INSERT INTO {table} (order_id, number) VALUES {values}", params  # noqa: S608


def _claim_sql(
    connection: BaseDatabaseWrapper,
    raffle_id: int,
    numbers: Sequence[int],
    order_id: int | str,
    until: datetime,
    now: datetime,
) -> tuple[str, list[Any]]:
    """The conditional UPDATE: take those of `numbers` that are free, or held by a hold past
    its time. `order_id` is a value, or SQL naming it (inside a PostgreSQL CTE)."""
    table = TicketNumber._meta.db_table
    listed = ", ".join(["%s"] * len(numbers))
    dt = connection.ops.adapt_datetimefield_value
    by_value = isinstance(order_id, int)
    sql = (
        f"UPDATE {table} SET status = %s, reserved_by_order_id = {'%s' if by_value else order_id},"  # noqa: S608
        f" reserved_until = %s WHERE raffle_id = %s AND number IN ({listed})"
        " AND (status = %s OR (status = %s AND reserved_until < %s))"
    )
    params = [RESERVED, *([order_id] if by_value else []), dt(until), raffle_id, *numbers]
    params += [AVAILABLE, RESERVED, dt(now)]
    return sql, params


def claim(
    raffle_id: int, numbers: Sequence[int], order_id: int, until: datetime, now: datetime
) -> list[int]:
    """Claim `numbers` for an existing order; returns the numbers it took (RETURNING)."""
    if not numbers:
        return []
    connection = _db()
    sql, params = _claim_sql(connection, raffle_id, numbers, order_id, until, now)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING number", params)
        return [row[0] for row in cursor.fetchall()]


def _event_sql(
    event: OrderEvent, connection: BaseDatabaseWrapper, count: int
) -> tuple[str, list[Any]]:
    """INSERT … SELECT of the audit event for the order the CTE `o` inserts, only when the
    claim `c` took all `count` of its numbers."""
    _, fields = _insert_sql(OrderEvent, connection.vendor, False, None)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = _values(event, fields, connection)
    selected, params = [], []
    for f, value in zip(fields, values, strict=True):
        if f.attname == "order_id":
            selected.append("(SELECT id FROM o)")
        else:
            selected.append("%s")
            params.append(value)
    params.append(count)
    sql = (
        f"INSERT INTO {OrderEvent._meta.db_table} ({columns})"  # noqa: S608
        f" SELECT {', '.join(selected)} WHERE (SELECT count(*) FROM c) = %s RETURNING id"
    )
    return sql, params


def insert_and_claim(
    order: Order, numbers: Sequence[int], now: datetime, event: OrderEvent | None = None
) -> list[int] | None:
    """INSERT the order, then claim `numbers` for it. None when the order's code is already
    taken (nothing written: pick another code); else the numbers claimed.

    On PostgreSQL both are one statement (a data-modifying CTE): every statement is a round
    trip, and under load the round trips, not the work, were most of a reservation's time.
    Given the order's audit `event` (its details already filled in), that statement also
    records the order's numbers and the event when every number was claimed, and sets the
    event's primary key; otherwise (or on SQLite) the caller records them with `record`.
    """
    connection = _db()
    if connection.vendor != "postgresql":
        if not insert(order, conflict="code"):
            return None
        return claim(order.raffle_id, numbers, order.pk, order.expires_at, now)  # type: ignore[arg-type]
    insert_sql, fields = _insert_sql(Order, connection.vendor, True, "code")
    params = _values(order, fields, connection)
    claim_sql, claim_params = _claim_sql(
        connection, order.raffle_id, numbers, "(SELECT id FROM o)", order.expires_at, now
    )
    params += claim_params
    sql = (
        f"WITH o AS ({insert_sql}),"  # noqa: S608
        f" c AS ({claim_sql} AND EXISTS (SELECT 1 FROM o) RETURNING number)"
    )
    if event is None:
        sql += " SELECT o.id, c.number, NULL FROM o LEFT JOIN c ON TRUE"
    else:
        event_sql, event_params = _event_sql(event, connection, len(numbers))
        sql += (
            f", t AS (INSERT INTO {OrderTicket._meta.db_table} (order_id, number)"  # noqa: S608
            " SELECT (SELECT id FROM o), number FROM c"
            " WHERE (SELECT count(*) FROM c) = %s ORDER BY number),"
            f" e AS ({event_sql})"
            " SELECT o.id, c.number, (SELECT id FROM e) FROM o LEFT JOIN c ON TRUE"
        )
        params += [len(numbers), *event_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    _saved(order, rows[0][0], connection)
    if event is not None and rows[0][2] is not None:
        event.order_id = order.pk
        _saved(event, rows[0][2], connection)
    return [number for _, number, _ in rows if number is not None]


def record(order: Order, numbers: Sequence[int], event: OrderEvent) -> None:
    """INSERT the order's numbers and its audit event (one statement on PostgreSQL)."""
    connection = _db()
    tickets_sql, tickets_params = _tickets_sql(order.pk, numbers)
    event_sql, fields = _insert_sql(OrderEvent, connection.vendor, False, None)
    event_params = _values(event, fields, connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"WITH t AS ({tickets_sql}) {event_sql}"
            cursor.execute(sql, tickets_params + event_params)
        else:
            cursor.execute(tickets_sql, tickets_params)
            cursor.execute(event_sql, event_params)


def probe(raffle_id: int, starts: Sequence[int]) -> list[int | None]:
    """For each start, the first AVAILABLE number at or above it (None past the last one):
    one index seek on (raffle, status, number) per start, all in one round trip."""
    table = TicketNumber._meta.db_table
    one = (
        f"SELECT (SELECT number FROM {table}"  # noqa: S608
        " WHERE raffle_id = %s AND status = %s AND number >= %s ORDER BY number LIMIT 1)"
    )
    sql = " UNION ALL ".join([one] * len(starts))
    params: list[Any] = []
    for start in starts:
        params += (raffle_id, AVAILABLE, start)
    with _db().cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
