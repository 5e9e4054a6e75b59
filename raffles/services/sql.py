"""The reservation hot path in plain SQL, sent straight through the database driver.

A reservation is a handful of statements. Built through the ORM, and even through Django's
cursor layer, each one cost more Python than the database spent running it; on SQLite every
microsecond inside the write transaction is a microsecond every other writer waits, and on
PostgreSQL every statement is a round trip. So the hot path here:

- keeps the statements' text built once per database (table and column names come from the
  models' `_meta`, never from input; the statuses are the models' constants, written as
  literals so that the planners know which partial indexes apply; every other value is a
  query parameter);
- sends them through the driver's own connection (`sqlite3`, `psycopg`) under Django's
  error wrapping, with values the models' fields would send (datetimes through the backend's
  adapter, JSON through `adapt_json_value`), so what is stored is what the ORM stores;
- on PostgreSQL, makes the whole reservation one statement (see `POSTGRES_RESERVE`), a
  random pick included;
- finds the alternatives to a refused reservation (`nearby`) and random starting points'
  next free numbers (`probe`) in one statement each.

`TERMS` are the guard that lets callers keep a raffle in memory: the columns a reservation
depends on, read as one text and compared inside the write (SQLite: on the order's INSERT;
PostgreSQL: in the statement), so a raffle closed, repriced or edited since it was read is
never sold from.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from raffles import writelock
from raffles.models import Order, OrderEvent, OrderTicket, Raffle, TicketNumber

AVAILABLE = TicketNumber.Status.AVAILABLE.value
RESERVED = TicketNumber.Status.RESERVED.value
PENDING_PAYMENT = Order.Status.PENDING_PAYMENT.value

# The raffle columns a reservation depends on (compared on SQLite; PostgreSQL compares the
# row's version instead, see `_terms_sql`). `public_id` tells two raffles apart that reused
# one primary key (after a rollback); `updated_at` moves on every save.
TERMS = (
    "public_id",
    "status",
    "generation_status",
    "sales_close_at",
    "ticket_price",
    "reservation_minutes",
    "max_tickets_per_order",
    "max_tickets_per_buyer",
    "min_number",
    "max_number",
    "updated_at",
)


# A ticket a new order may take: free, or held by a hold whose time has passed (`{now}`: the
# placeholder for the current time). The statuses are the models' constants, as literals.
CLAIMABLE = f"(status = '{AVAILABLE}' OR (status = '{RESERVED}' AND reserved_until < {{now}}))"


def _mark(vendor: str) -> str:
    """The driver's placeholder for a positional parameter."""
    return "%s" if vendor == "postgresql" else "?"


def _db() -> BaseDatabaseWrapper:
    # Looked up once per call: every attribute read through `django.db.connection` goes
    # through a context-local lookup.
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


@functools.cache
def _terms_sql(vendor: str) -> str:
    """The raffle's TERMS as one text, computed by the database: on SQLite each column as an
    SQL literal (`quote`), so NULLs, numbers, times and texts compare exactly, whatever
    Python would make of them; on PostgreSQL the row's version."""
    if vendor == "postgresql":
        # The row version: any UPDATE of the row (whatever it changes, through the ORM or
        # not) writes a new tuple, at a new place (ctid), by its transaction (xmin; two
        # updates in one transaction share it, never the place). Freezing keeps xmin
        # (PostgreSQL 9.4+). Cheaper than formatting eleven columns on every reservation.
        return "xmin::text || ':' || ctid::text"
    columns = [Raffle._meta.get_field(n).column for n in TERMS]
    return " || ',' || ".join(f"quote({c})" for c in columns)


@functools.cache
def _load_sql(vendor: str) -> str:
    sql, _, _ = _select_sql(Raffle, vendor)
    head, tail = sql.split(" FROM ", 1)
    return f"{head}, {_terms_sql(vendor)} FROM {tail}"


def load_raffle(pk: int) -> tuple[Raffle, str] | None:
    """The raffle (as `objects.get` builds it: same converters, `from_db`) and its TERMS as
    `reserve` compares them, read together. None: no such raffle."""
    connection = _db()
    _, names, converters = _select_sql(Raffle, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(_load_sql(connection.vendor), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[:-1])
    for i, fn, col in converters:
        values[i] = fn(values[i], col, connection)
    return Raffle.from_db(connection.alias, names, values), row[-1]


def _columns(model: type[Model], *names: str) -> str:
    return ", ".join(model._meta.get_field(n).column for n in names)


ORDER_FIELDS = (
    "code",
    "raffle",
    "buyer",
    "qty",
    "total_amount",
    "status",
    "created_at",
    "updated_at",
    "expires_at",
)
EVENT_FIELDS = (
    "order",
    "raffle",
    "kind",
    "actor_type",
    "actor_user",
    "actor_label",
    "created_at",
    "details",
)


@functools.cache
def _sqlite_statements() -> dict[str, str]:
    raffles, tickets = Raffle._meta.db_table, TicketNumber._meta.db_table
    orders, events = Order._meta.db_table, OrderEvent._meta.db_table
    marks = ", ".join("?" * len(ORDER_FIELDS))
    terms = f"SELECT {_terms_sql('sqlite')} FROM {raffles} WHERE id = ?"  # noqa: S608
    return {
        "terms": terms,
        # The terms guard rides on the order's INSERT: evaluated once, and a changed raffle
        # gets no order (so nothing else is written).
        "order": f"INSERT INTO {orders} ({_columns(Order, *ORDER_FIELDS)})"
        f" SELECT {marks} WHERE ({terms}) = ? ON CONFLICT (code) DO NOTHING RETURNING id",
        # The statuses are constants, written as literals: SQLite then knows at prepare time
        # which partial indexes the new row belongs to.
        "claim": f"UPDATE {tickets} SET status = '{RESERVED}', reserved_by_order_id = ?,"  # noqa: S608
        " reserved_until = ? WHERE raffle_id = ? AND number IN ({numbers})"
        f" AND {CLAIMABLE.format(now='?')} RETURNING number",
        "numbers": f"INSERT INTO {OrderTicket._meta.db_table} (order_id, number)"  # noqa: S608
        " VALUES {values}",
        "event": f"INSERT INTO {events} ({_columns(OrderEvent, *EVENT_FIELDS)})"  # noqa: S608
        f" VALUES ({', '.join('?' * len(EVENT_FIELDS))})",
    }


# One reservation, one statement: find the claimable rows (`f`); only when there are enough,
# lock them (in number order, so two reservations never wait for each other in a circle;
# the lock re-checks each row), and only when enough are still claimable insert the order,
# claim the numbers, record them and the audit event. A refusal takes no lock, so it writes
# nothing, not even a lock record. The candidates (`cand`, in order) are the requested
# numbers, or for a random pick the first free number at or above each random start (index
# seeks, as `probe` does); the first `qty` still claimable are taken, in that order.
POSTGRES_RESERVE = """
WITH r AS (
    SELECT 1 FROM {raffles} WHERE id = %(raffle)s AND {terms} = %(terms)s
), cand AS (
    {candidates}
), f AS (
    SELECT id, number FROM {tickets}
    WHERE raffle_id = %(raffle)s AND number = ANY(ARRAY(SELECT number FROM cand))
      AND {claimable} AND EXISTS (SELECT 1 FROM r)
), s AS (
    SELECT id, number FROM {tickets}
    WHERE id IN (SELECT id FROM f) AND (SELECT count(*) FROM f) >= %(qty)s AND {claimable}
    ORDER BY number FOR UPDATE
), pick AS (
    SELECT s.id, s.number FROM s
    JOIN (SELECT number, min(i) AS i FROM cand GROUP BY number) AS c ON c.number = s.number
    ORDER BY c.i LIMIT %(qty)s
), o AS (
    INSERT INTO {orders} ({order_columns})
    SELECT %(code)s, %(raffle)s, %(buyer)s, %(qty)s, %(total)s, '{pending}', %(now)s, %(now)s,
           %(until)s
    WHERE (SELECT count(*) FROM pick) = %(qty)s
    ON CONFLICT (code) DO NOTHING RETURNING id
), c AS (
    UPDATE {tickets} AS t SET status = '{reserved}', reserved_by_order_id = o.id,
           reserved_until = %(until)s
    FROM o WHERE t.id IN (SELECT id FROM pick)
), k AS (
    INSERT INTO {numbers} (order_id, number)
    SELECT o.id, pick.number FROM o, pick ORDER BY pick.number
), e AS (
    INSERT INTO {events} ({event_columns})
    SELECT o.id, %(raffle)s, %(kind)s, %(actor_type)s, %(actor_user)s, %(actor_label)s, %(now)s,
           jsonb_build_object(
               'numbers', (SELECT jsonb_agg(number ORDER BY number) FROM pick),
               'expires_at', %(expires)s::text)
    FROM o
)
SELECT (SELECT id FROM o), EXISTS (SELECT 1 FROM r),
       ARRAY(SELECT number FROM f WHERE (SELECT count(*) FROM f) < %(qty)s
             UNION ALL SELECT number FROM s ORDER BY number),
       ARRAY(SELECT number FROM pick ORDER BY number)
"""


@functools.cache
def _postgres_statements() -> dict[str, str]:
    tickets = TicketNumber._meta.db_table
    one = (
        f"SELECT number FROM {tickets}"  # noqa: S608
        f" WHERE raffle_id = %(raffle)s AND status = '{AVAILABLE}' AND number >= start"
        " ORDER BY number LIMIT 1"
    )
    shape = {
        "raffles": Raffle._meta.db_table,
        "tickets": tickets,
        "orders": Order._meta.db_table,
        "numbers": OrderTicket._meta.db_table,
        "events": OrderEvent._meta.db_table,
        "order_columns": _columns(Order, *ORDER_FIELDS),
        "event_columns": _columns(OrderEvent, *EVENT_FIELDS),
        "terms": _terms_sql("postgresql"),
        "claimable": CLAIMABLE.format(now="%(now)s"),
        "reserved": RESERVED,
        "pending": PENDING_PAYMENT,
    }
    specific = POSTGRES_RESERVE.format(
        candidates="SELECT number, i FROM unnest(%(numbers)s::bigint[])"
        " WITH ORDINALITY AS c(number, i)",
        **shape,
    )
    random = POSTGRES_RESERVE.format(
        candidates=f"SELECT ({one}) AS number, i FROM unnest(%(starts)s::bigint[])"  # noqa: S608
        " WITH ORDINALITY AS c(start, i)",
        **shape,
    )
    return {"reserve": specific, "reserve_random": random}


@functools.cache
def _sqlite_claim(count: int) -> str:
    return _sqlite_statements()["claim"].format(numbers=", ".join("?" * count))


@functools.cache
def _sqlite_numbers(count: int) -> str:
    return _sqlite_statements()["numbers"].format(values=", ".join(["(?, ?)"] * count))


@functools.cache
def _probe_sql(vendor: str, count: int) -> str:
    mark = _mark(vendor)
    one = (
        f"SELECT (SELECT number FROM {TicketNumber._meta.db_table}"  # noqa: S608
        f" WHERE raffle_id = {mark} AND status = '{AVAILABLE}' AND number >= {mark}"
        " ORDER BY number LIMIT 1)"
    )
    return " UNION ALL ".join([one] * count)


def _driver(connection: BaseDatabaseWrapper) -> Any:
    """The driver's own connection (`sqlite3.Connection`, `psycopg.Connection`)."""
    if connection.connection is None:
        connection.ensure_connection()
    return connection.connection


@dataclass(slots=True)
class Hold:
    """One reservation to write: a new order holding exactly `numbers` until `until`."""

    raffle_id: int
    buyer_id: int
    numbers: list[int]  # sorted, distinct; for a random pick on PostgreSQL, filled in by it
    total: Decimal
    code: str
    now: datetime
    until: datetime
    kind: str
    actor_type: str
    actor_user_id: int | None
    actor_label: str
    # PostgreSQL only: pick `qty` numbers at random, starting from these (see `reserve`).
    starts: list[int] | None = None
    qty: int = 0

    @property
    def count(self) -> int:
        """How many numbers this hold is for."""
        return self.qty if self.starts is not None else len(self.numbers)


@dataclass(slots=True)
class Outcome:
    """What the write did. `order_id` is set only when every number was claimed."""

    order_id: int | None = None
    stale: bool = False  # the raffle's terms changed since they were read: nothing written
    claimable: tuple[int, ...] = ()  # of the hold's numbers, those that could be claimed
    code_taken: bool = False  # every number was claimable but the order code was taken
    short: bool = False  # a random pick found fewer free numbers than it needed


def reserve(hold: Hold, expected: str) -> Outcome:
    """Write `hold` all-or-nothing, if the raffle's terms are still `expected`.

    PostgreSQL: one statement that writes nothing unless it writes everything. SQLite: in
    the caller's transaction if one is open (a partial claim is then the caller's to roll
    back); otherwise in a write transaction of its own, straight on the driver, queued like
    every other writer (`raffles.writelock`), committed only when every number was claimed.
    """
    connection = _db()
    raw = _driver(connection)
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            return _reserve_postgres(connection, raw, hold, expected)
        if raw.in_transaction:
            return _reserve_sqlite(connection, raw, hold, expected)
        queued = writelock.acquire(connection)
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                outcome = _reserve_sqlite(connection, raw, hold, expected)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT" if outcome.order_id is not None else "ROLLBACK")
            return outcome
        finally:
            if queued:
                writelock.release()


def _reserve_sqlite(
    connection: BaseDatabaseWrapper, raw: Any, hold: Hold, expected: str
) -> Outcome:
    """The statements of one reservation, in an open write transaction. The order's INSERT
    carries the terms guard; only when it inserts nothing are the terms read, to tell a
    stale raffle from a taken order code."""
    sql = _sqlite_statements()
    dt = connection.ops.adapt_datetimefield_value
    now, until = dt(hold.now), dt(hold.until)
    numbers = hold.numbers
    row = raw.execute(
        sql["order"],
        [hold.code, hold.raffle_id, hold.buyer_id, len(numbers), hold.total,
         PENDING_PAYMENT, now, now, until, hold.raffle_id, expected],
    ).fetchone()  # fmt: skip
    if row is None:
        found = raw.execute(sql["terms"], [hold.raffle_id]).fetchone()
        if found is None or found[0] != expected:
            return Outcome(stale=True)
        return Outcome(code_taken=True, claimable=tuple(numbers))
    order_id = row[0]
    got = raw.execute(
        _sqlite_claim(len(numbers)),
        [order_id, until, hold.raffle_id, *numbers, now],
    ).fetchall()
    if len(got) != len(numbers):
        return Outcome(claimable=tuple(sorted(n for (n,) in got)))
    params: list[Any] = []
    for number in numbers:
        params += (order_id, number)
    raw.execute(_sqlite_numbers(len(numbers)), params)
    raw.execute(
        sql["event"],
        [order_id, hold.raffle_id, hold.kind, hold.actor_type, hold.actor_user_id,
         hold.actor_label, now, connection.ops.adapt_json_value(_details(hold), None)],
    )  # fmt: skip
    return Outcome(order_id=order_id, claimable=tuple(numbers))


def _details(hold: Hold) -> dict[str, Any]:
    """The audit event's details (PostgreSQL builds the same in its statement)."""
    return {"numbers": hold.numbers, "expires_at": str(hold.until)}


def _reserve_postgres(
    connection: BaseDatabaseWrapper, raw: Any, hold: Hold, expected: str
) -> Outcome:
    random = hold.starts is not None
    qty = hold.count
    params = {
        "terms": expected,
        "raffle": hold.raffle_id,
        "numbers": hold.numbers,
        "starts": hold.starts,
        "now": hold.now,
        "until": hold.until,
        "expires": str(hold.until),
        "code": hold.code,
        "buyer": hold.buyer_id,
        "qty": qty,
        "total": hold.total,
        "kind": hold.kind,
        "actor_type": hold.actor_type,
        "actor_user": hold.actor_user_id,
        "actor_label": hold.actor_label,
    }
    statement = _postgres_statements()["reserve_random" if random else "reserve"]
    order_id, same, claimable, picked = raw.execute(statement, params).fetchone()
    if not same:
        return Outcome(stale=True)
    if random:
        hold.numbers = list(picked)
        if len(picked) < qty:
            return Outcome(short=True)
    claimable = tuple(claimable)
    if order_id is None and len(picked) == qty:
        return Outcome(code_taken=True, claimable=claimable)
    return Outcome(order_id=order_id, claimable=claimable)


@functools.cache
def _nearby_sql(vendor: str, count: int) -> str:
    mark = _mark(vendor)
    table = TicketNumber._meta.db_table
    free = (
        f"SELECT number FROM (SELECT number FROM {table} WHERE raffle_id = {mark}"  # noqa: S608
        f" AND status = '{AVAILABLE}' AND number {{op}} {mark} ORDER BY number {{order}}"
        f" LIMIT {mark}) AS n{{i}}"
    )
    parts = []
    for i in range(count):
        parts.append(free.format(op=">", order="", i=2 * i))
        parts.append(free.format(op="<", order="DESC", i=2 * i + 1))
    parts.append(
        f"SELECT number FROM (SELECT number FROM {table} WHERE raffle_id = {mark}"  # noqa: S608
        f" AND status = '{RESERVED}' AND reserved_until < {mark} ORDER BY reserved_until"
        f" LIMIT {mark}) AS lapsed"
    )
    return " UNION ALL ".join(parts)


def nearby(
    raffle_id: int, around: Sequence[int], per_side: int, lapsed: int, now: datetime
) -> list[int]:
    """In one statement: up to `per_side` free numbers above and below each of `around`
    (index seeks on (raffle, status, number)), and up to `lapsed` holds past their time
    (a seek on the holds' end times). May repeat numbers and include those of `around`."""
    connection = _db()
    params: list[Any] = []
    for number in around:
        params += (raffle_id, number, per_side, raffle_id, number, per_side)
    stamp = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    params += (raffle_id, stamp, lapsed)
    raw = _driver(connection)
    with connection.wrap_database_errors:
        rows = raw.execute(_nearby_sql(connection.vendor, len(around)), params).fetchall()
    return [row[0] for row in rows]


def probe(raffle_id: int, starts: Sequence[int]) -> list[int | None]:
    """For each start, the first AVAILABLE number at or above it (None past the last one):
    one index seek on (raffle, status, number) per start, all in one round trip."""
    connection = _db()
    params: list[Any] = []
    for start in starts:
        params += (raffle_id, start)
    raw = _driver(connection)
    with connection.wrap_database_errors:
        rows = raw.execute(_probe_sql(connection.vendor, len(starts)), params).fetchall()
    return [row[0] for row in rows]
