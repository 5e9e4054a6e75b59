"""The store for a connection's database."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from raffles.services.reservations.postgres import PostgresStore
from raffles.services.reservations.sqlite import SqliteStore
from raffles.services.reservations.store import ReservationStore


def store_for(connection: BaseDatabaseWrapper | None = None) -> ReservationStore:
    """The reservation store of this connection's database (default: the default one)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        return PostgresStore(connection)
    if connection.vendor == "sqlite":
        return SqliteStore(connection)
    raise NotImplementedError(f"no reservation store for {connection.vendor}")
