"""SQLite's store: one reservation is a short write transaction of a few statements.

The order's INSERT carries the terms guard (a changed raffle gets no order, so nothing else is
written); the conditional UPDATE claims the numbers and returns those it claimed; then the
order's numbers and its audit event are inserted. Alone (`claim_alone`), it begins its own
write transaction in the write queue (`config.db.writelock`) and commits only a whole claim.

The claim's statements run inside SQLite's one-writer lock, where every microsecond is one
that every other writer waits, so they go straight to the driver (`DriverCursor`) unless
queries are being logged or counted (DEBUG, `django_assert_num_queries`): then they go through
Django's cursor, which sees them. bench/reservations.py measures the difference
(docs/performance.md, "Django's cursor or the driver").
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from config.db import writelock
from raffles.models import Order, OrderEvent, OrderTicket, Raffle, TicketNumber
from raffles.services.reservations.columns import (
    CLAIMABLE,
    EVENT_FIELDS,
    NUMBER_FIELDS,
    ORDER_FIELDS,
    PENDING_PAYMENT,
    RESERVED,
    columns,
    terms_sql,
)
from raffles.services.reservations.reads import StoreReads, claim_cursor
from raffles.services.reservations.store import (
    Claim,
    ClaimResult,
    Hold,
    TransactionStateError,
    require_transaction,
)


@functools.cache
def statements() -> dict[str, str]:
    raffles, tickets = Raffle._meta.db_table, TicketNumber._meta.db_table
    orders, events = Order._meta.db_table, OrderEvent._meta.db_table
    marks = ", ".join(["%s"] * len(ORDER_FIELDS))
    terms = f"SELECT {terms_sql('sqlite')} FROM {raffles} WHERE id = %s"  # noqa: S608
    return {
        "terms": terms,
        # The terms guard rides on the order's INSERT: evaluated once, and a changed raffle
        # gets no order (so nothing else is written).
        "order": f"INSERT INTO {orders} ({columns(Order, *ORDER_FIELDS)})"
        f" SELECT {marks} WHERE ({terms}) = %s ON CONFLICT (code) DO NOTHING RETURNING id",
        # The statuses are constants, written as literals: SQLite then knows at prepare time
        # which partial indexes the new row belongs to.
        "claim": f"UPDATE {tickets} SET status = '{RESERVED}', reserved_by_order_id = %s,"  # noqa: S608
        " reserved_until = %s WHERE raffle_id = %s AND number IN ({numbers})"
        f" AND {CLAIMABLE.format(now='%s')} RETURNING number",
        "numbers": f"INSERT INTO {OrderTicket._meta.db_table}"  # noqa: S608
        f" ({columns(OrderTicket, *NUMBER_FIELDS)}) VALUES {{values}}",
        "event": f"INSERT INTO {events} ({columns(OrderEvent, *EVENT_FIELDS)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(EVENT_FIELDS))})",
    }


@functools.cache
def claim_sql(count: int) -> str:
    return statements()["claim"].format(numbers=", ".join(["%s"] * count))


@functools.cache
def numbers_sql(count: int) -> str:
    return statements()["numbers"].format(values=", ".join(["(%s, %s)"] * count))


def details(hold: Hold) -> dict[str, Any]:
    """The audit event's details (PostgreSQL builds the same in its statement)."""
    return {"numbers": hold.numbers, "expires_at": str(hold.until)}


class SqliteStore(StoreReads):
    __slots__ = ()

    def _time(self, value: datetime) -> Any:
        return self.connection.ops.adapt_datetimefield_value(value)

    def claim(self, hold: Hold, terms: str) -> Claim:
        with claim_cursor(self.connection) as cursor:
            return self._claim(cursor, hold, terms)

    def claim_alone(self, hold: Hold, terms: str) -> Claim:
        connection = self.connection
        queued = writelock.acquire(connection)
        try:
            with claim_cursor(connection) as cursor:
                if connection.in_atomic_block or connection.connection.in_transaction:
                    raise TransactionStateError("claim_alone needs no open transaction")
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    claim = self._claim(cursor, hold, terms)
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT" if claim.result is ClaimResult.RESERVED else "ROLLBACK")
                return claim
        finally:
            if queued:
                writelock.release()

    def _claim(self, cursor: Any, hold: Hold, terms: str) -> Claim:
        """The statements of one claim, in an open write transaction. Only when the order's
        INSERT inserts nothing are the terms read, to tell a stale raffle from a taken code."""
        require_transaction(self.connection)
        sql = statements()
        ops = self.connection.ops
        now, until = (
            ops.adapt_datetimefield_value(hold.now),
            ops.adapt_datetimefield_value(hold.until),
        )
        numbers = hold.numbers
        cursor.execute(
            sql["order"],
            [hold.code, hold.raffle_id, hold.buyer_id, len(numbers), hold.total,
             PENDING_PAYMENT, now, now, until, hold.list_amount,
             hold.list_amount - hold.total, hold.raffle_id, terms],
        )  # fmt: skip
        row = cursor.fetchone()
        if row is None:
            cursor.execute(sql["terms"], [hold.raffle_id])
            found = cursor.fetchone()
            if found is None or found[0] != terms:
                return Claim(ClaimResult.STALE_TERMS)
            return Claim(ClaimResult.CODE_TAKEN, claimable=tuple(numbers))
        order_id = row[0]
        cursor.execute(claim_sql(len(numbers)), [order_id, until, hold.raffle_id, *numbers, now])
        got = cursor.fetchall()
        if len(got) != len(numbers):
            return Claim(ClaimResult.TAKEN, claimable=tuple(sorted(n for (n,) in got)))
        params: list[Any] = []
        for number in numbers:
            params += (order_id, number)
        cursor.execute(numbers_sql(len(numbers)), params)
        cursor.execute(
            sql["event"],
            [order_id, hold.raffle_id, hold.kind, hold.actor_type, hold.actor_user_id,
             hold.actor_label, now, ops.adapt_json_value(details(hold), None)],
        )  # fmt: skip
        return Claim(ClaimResult.RESERVED, order_id=order_id, claimable=tuple(numbers))
