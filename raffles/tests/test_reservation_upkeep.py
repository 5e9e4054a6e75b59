"""After a bulk change of ticket statuses the ticket table is tidied (VACUUM (ANALYZE) on
PostgreSQL, after the commit), so the next random pick does not walk dead index entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from raffles import services
from raffles.services.reservations import upkeep
from raffles.tests.factories import make_raffle

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL keeps dead index entries"
)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_block_and_unblock_tidy_the_table_after_they_commit(monkeypatch: Any) -> None:
    seller = get_user_model().objects.create_user("sally", password="x", is_staff=True)
    raffle = make_raffle(size=20)
    tidied: list[bool] = []
    monkeypatch.setattr(upkeep, "BULK_CHANGE", 5)
    monkeypatch.setattr(upkeep, "tidy_tickets", lambda: tidied.append(True) or 0.0)
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with transaction.atomic():
        services.block_numbers(raffle, range(10), by=seller)
        assert tidied == []  # not inside the transaction: VACUUM cannot run there
    assert tidied == [True]
    services.block_numbers(raffle, [10, 11], by=seller)  # a small change: autovacuum's
    assert tidied == [True]
    services.unblock_numbers(raffle, range(12), by=seller)
    assert tidied == [True, True]


@pytest.mark.django_db(transaction=True)
def test_tidying_never_runs_inside_a_transaction_nor_on_sqlite() -> None:
    with transaction.atomic():
        assert upkeep.tidy_tickets() == 0.0
    if connection.vendor != "postgresql":
        assert upkeep.tidy_tickets() == 0.0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_tidying_vacuums_the_ticket_table_on_postgresql() -> None:
    make_raffle(size=50)
    assert upkeep.tidy_tickets() > 0.0
