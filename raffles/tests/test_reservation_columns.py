"""The stores' hand-written column lists against the models' concrete columns: a column added
to a model that the database needs a value for fails here until the SQL writes it."""

from __future__ import annotations

import re

import pytest
from django.db import models
from django.test.utils import isolate_apps

from raffles.models import Order, OrderEvent, OrderTicket, Raffle, TicketNumber
from raffles.services.reservations import postgres, sqlite
from raffles.services.reservations.columns import (
    CLAIM_FIELDS,
    EVENT_FIELDS,
    NUMBER_FIELDS,
    ORDER_FIELDS,
    TERMS,
    TICKET_KEYS,
    columns,
    select_sql,
)
from raffles.services.reservations.reads import nearby_sql, probe_sql

INSERTS = [(Order, ORDER_FIELDS), (OrderEvent, EVENT_FIELDS), (OrderTicket, NUMBER_FIELDS)]


def unlisted_required(model: type[models.Model], listed: tuple[str, ...]) -> list[str]:
    """Concrete fields an INSERT of `listed` leaves out although the row needs a value: not
    the primary key, not nullable, no database default (a Python default is not enough: the
    hand-written INSERT never runs it)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in listed and not f.primary_key and not f.null and not f.has_db_default()
    ]


def top_level_items(values: str) -> list[str]:
    """The comma-separated items of a VALUES/SELECT list, commas inside brackets ignored."""
    items, depth, current = [], 0, ""
    for char in values:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]


@pytest.mark.parametrize(("model", "listed"), INSERTS)
def test_every_listed_field_is_a_concrete_column(model, listed):
    concrete = {f.name for f in model._meta.concrete_fields}
    assert set(listed) <= concrete
    assert len(set(listed)) == len(listed)


@pytest.mark.parametrize(("model", "listed"), INSERTS)
def test_every_insert_writes_every_column_the_row_needs(model, listed):
    assert unlisted_required(model, listed) == []


def test_the_ticket_columns_a_claim_uses_exist():
    concrete = {f.name for f in TicketNumber._meta.concrete_fields}
    assert set(CLAIM_FIELDS) | set(TICKET_KEYS) <= concrete
    assert set(TERMS) <= {f.name for f in Raffle._meta.concrete_fields}
    claim = sqlite.claim_sql(1)
    reserve = postgres.statements()["reserve"]
    for name in (*CLAIM_FIELDS, *TICKET_KEYS):
        column = TicketNumber._meta.get_field(name).column
        assert column in claim
        assert column in reserve
    for statement in (probe_sql(1), nearby_sql(1)):
        for name in ("raffle", "status", "number"):
            assert TicketNumber._meta.get_field(name).column in statement
    assert Order._meta.pk.column == TicketNumber._meta.pk.column == "id"  # RETURNING id


def test_each_insert_has_one_value_per_listed_column():
    statements = sqlite.statements()
    assert statements["order"].count(columns(Order, *ORDER_FIELDS)) == 1
    order_values = re.search(r"\) SELECT (.*?) WHERE", statements["order"]).group(1)
    assert len(top_level_items(order_values)) == len(ORDER_FIELDS)
    event_values = re.search(r"VALUES \((.*)\)$", statements["event"]).group(1)
    assert len(top_level_items(event_values)) == len(EVENT_FIELDS)
    assert len(top_level_items(sqlite.numbers_sql(1).split("VALUES ")[1][1:-1])) == len(
        NUMBER_FIELDS
    )
    assert len(top_level_items(postgres.ORDER_VALUES)) == len(ORDER_FIELDS)
    assert len(top_level_items(postgres.EVENT_VALUES)) == len(EVENT_FIELDS)
    reserve = postgres.statements()["reserve"]
    for model, listed in INSERTS:
        assert f"({columns(model, *listed)})" in reserve


def test_the_raffle_is_read_with_every_concrete_column():
    _, names, _ = select_sql(Raffle, "sqlite")
    assert names == tuple(f.attname for f in Raffle._meta.concrete_fields)


@isolate_apps("raffles")
def test_a_new_not_null_column_fails_the_check():
    class Widened(models.Model):
        code = models.CharField(max_length=12)
        note = models.CharField(max_length=20, null=True)
        level = models.IntegerField(db_default=0)
        extra = models.IntegerField(default=0)  # NOT NULL, a Python default only

        class Meta:
            app_label = "raffles"

        def __str__(self) -> str:
            return self.code

    assert unlisted_required(Widened, ("code",)) == ["extra"]
    assert unlisted_required(Widened, ("code", "extra")) == []
