"""PostgreSQL's store: one reservation, one statement, atomic by itself.

The statement finds the claimable rows (`f`); only when there are enough, locks them (in
number order, so two reservations never wait for each other in a circle; the lock re-checks
each row), and only when enough are still claimable inserts the order, claims the numbers,
records them and the audit event. A refusal takes no lock, so it writes nothing, not even a
lock record. The candidates (`cand`, in order) are the requested numbers (a random pick is
chosen first, by `picking.pick_numbers`); all `qty` of them must still be claimable.
"""

from __future__ import annotations

import functools
from typing import Any

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
from raffles.services.reservations.reads import StoreReads
from raffles.services.reservations.store import Claim, ClaimResult, Hold, require_transaction

# The values of the order's INSERT and of the event's, in the order of ORDER_FIELDS and
# EVENT_FIELDS (raffles/tests/test_reservation_columns.py checks they match).
ORDER_VALUES = (
    "%(code)s, %(raffle)s, %(buyer)s, %(qty)s, %(total)s, '{pending}', %(now)s, %(now)s, %(until)s,"
    " %(list_amount)s, %(discount)s"
)
EVENT_VALUES = (
    "o.id, %(raffle)s, %(kind)s, %(actor_type)s, %(actor_user)s, %(actor_label)s, %(now)s,"
    " jsonb_build_object('numbers', (SELECT jsonb_agg(number ORDER BY number) FROM pick),"
    " 'expires_at', %(expires)s::text)"
)

RESERVE = """
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
    SELECT {order_values}
    WHERE (SELECT count(*) FROM pick) = %(qty)s
    ON CONFLICT (code) DO NOTHING RETURNING id
), c AS (
    UPDATE {tickets} AS t SET status = '{reserved}', reserved_by_order_id = o.id,
           reserved_until = %(until)s
    FROM o WHERE t.id IN (SELECT id FROM pick)
), k AS (
    INSERT INTO {numbers} ({number_columns})
    SELECT o.id, pick.number FROM o, pick ORDER BY pick.number
), e AS (
    INSERT INTO {events} ({event_columns})
    SELECT {event_values}
    FROM o
)
SELECT (SELECT id FROM o), EXISTS (SELECT 1 FROM r),
       ARRAY(SELECT number FROM f WHERE (SELECT count(*) FROM f) < %(qty)s
             UNION ALL SELECT number FROM s ORDER BY number),
       ARRAY(SELECT number FROM pick ORDER BY number)
"""


@functools.cache
def statements() -> dict[str, str]:
    tickets = TicketNumber._meta.db_table
    shape = {
        "raffles": Raffle._meta.db_table,
        "tickets": tickets,
        "orders": Order._meta.db_table,
        "numbers": OrderTicket._meta.db_table,
        "events": OrderEvent._meta.db_table,
        "order_columns": columns(Order, *ORDER_FIELDS),
        "order_values": ORDER_VALUES.format(pending=PENDING_PAYMENT),
        "number_columns": columns(OrderTicket, *NUMBER_FIELDS),
        "event_columns": columns(OrderEvent, *EVENT_FIELDS),
        "event_values": EVENT_VALUES,
        "terms": terms_sql("postgresql"),
        "claimable": CLAIMABLE.format(now="%(now)s"),
        "reserved": RESERVED,
    }
    specific = RESERVE.format(
        candidates="SELECT number, i FROM unnest(%(numbers)s::bigint[])"
        " WITH ORDINALITY AS c(number, i)",
        **shape,
    )
    return {"reserve": specific}


class PostgresStore(StoreReads):
    __slots__ = ()

    def claim(self, hold: Hold, terms: str) -> Claim:
        require_transaction(self.connection)
        return self.claim_alone(hold, terms)

    def claim_alone(self, hold: Hold, terms: str) -> Claim:
        qty = hold.count
        params: dict[str, Any] = {
            "terms": terms,
            "raffle": hold.raffle_id,
            "numbers": hold.numbers,
            "now": hold.now,
            "until": hold.until,
            "expires": str(hold.until),
            "code": hold.code,
            "buyer": hold.buyer_id,
            "qty": qty,
            "total": hold.total,
            "list_amount": hold.list_amount,
            "discount": hold.list_amount - hold.total,
            "kind": hold.kind,
            "actor_type": hold.actor_type,
            "actor_user": hold.actor_user_id,
            "actor_label": hold.actor_label,
        }
        with self.connection.cursor() as cursor:
            cursor.execute(statements()["reserve"], params)
            order_id, same, claimable, picked = cursor.fetchone()
        if not same:
            return Claim(ClaimResult.STALE_TERMS)
        found = tuple(claimable)
        if order_id is not None:
            return Claim(ClaimResult.RESERVED, order_id=order_id, claimable=found)
        if len(picked) == qty:
            return Claim(ClaimResult.CODE_TAKEN, claimable=found)
        return Claim(ClaimResult.TAKEN, claimable=found)
