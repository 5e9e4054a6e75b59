"""What the hand-written statements read and write, named once: the models' columns they
list, the raffle's terms, and the "claimable" condition as SQL.

Table and column names come from the models' `_meta`, never from input; the statuses are
the models' constants, written as literals so that the planners know which partial indexes
apply; every other value is a query parameter. raffles/tests/test_reservation_columns.py
checks these lists against the models' concrete columns.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

from raffles.audit import EVENT_FIELDS as AUDIT_EVENT_FIELDS
from raffles.models import Order, Raffle, TicketNumber
from raffles.rules import CLAIMABLE_SQL

AVAILABLE = TicketNumber.Status.AVAILABLE.value
RESERVED = TicketNumber.Status.RESERVED.value
PENDING_PAYMENT = Order.Status.PENDING_PAYMENT.value

# The raffle columns a reservation depends on (compared on SQLite; PostgreSQL compares the
# row's version instead, see `terms_sql`). `public_id` tells two raffles apart that reused
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
    "price_tiers",
    "early_bird_price",
    "early_bird_until",
    "updated_at",
)

# The fields each INSERT lists, in the order of its values. Every other concrete field of
# the model must be nullable, have a database default, or be the primary key.
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
    "list_amount",
    "discount_amount",
)
EVENT_FIELDS = AUDIT_EVENT_FIELDS  # the audit builder's columns, in order
NUMBER_FIELDS = ("order", "number")  # OrderTicket
# The ticket fields a claim sets (TicketNumber), and those it reads or filters on.
CLAIM_FIELDS = ("status", "reserved_by_order", "reserved_until")
TICKET_KEYS = ("id", "raffle", "number")

# A ticket a new order may take: free, or held by a hold whose time has passed (`{now}`: the
# placeholder for the current time). The statuses are the models' constants, as literals.
CLAIMABLE = CLAIMABLE_SQL


def column(model: type[Model], name: str) -> str:
    """The column of one of the model's concrete fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a concrete column")
    return str(field.column)


def columns(model: type[Model], *names: str) -> str:
    """The columns of these fields, comma-separated, in this order."""
    return ", ".join(column(model, n) for n in names)


def _db() -> Any:
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def select_sql(model: type[Model], vendor: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    """SELECT every concrete column of one row by primary key; the fields' attnames; and the
    converters `objects.get` would apply to each value."""
    connection = _db()
    fields = model._meta.concrete_fields
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk = connection.ops.quote_name(column(model, model._meta.pk.name))
    sql = f"SELECT {names} FROM {model._meta.db_table} WHERE {pk} = %s"  # noqa: S608
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        fns = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
        converters += [(i, fn, col) for fn in fns]
    return sql, tuple(f.attname for f in fields), tuple(converters)


@functools.cache
def terms_sql(vendor: str) -> str:
    """The raffle's TERMS as one text, computed by the database: on SQLite each column as an
    SQL literal (`quote`), so NULLs, numbers, times and texts compare exactly, whatever
    Python would make of them; on PostgreSQL the row's version."""
    if vendor == "postgresql":
        # The row version: any UPDATE of the row (whatever it changes, through the ORM or
        # not) writes a new tuple, at a new place (ctid), by its transaction (xmin; two
        # updates in one transaction share it, never the place). Freezing keeps xmin
        # (PostgreSQL 9.4+). Cheaper than formatting eleven columns on every reservation.
        return "xmin::text || ':' || ctid::text"
    return " || ',' || ".join(f"quote({column(Raffle, n)})" for n in TERMS)
