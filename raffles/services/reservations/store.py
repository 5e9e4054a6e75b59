"""The contract between the reservation engine and the database: one store per database.

A store writes one reservation (a `Hold`) all or nothing and says what happened as one
`ClaimResult`; it also makes the reads the engine needs on its hot path. Every statement goes
through Django's cursor (so query logging and counting see it), and a claim refuses to run
outside a transaction (`TransactionStateError`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.db.backends.base.base import BaseDatabaseWrapper

from raffles.models import Raffle


class ClaimResult(enum.Enum):
    """What one claim did. Only RESERVED wrote anything."""

    RESERVED = "reserved"  # the order, its numbers and its audit event are written
    TAKEN = "taken"  # some numbers could not be claimed (`Claim.claimable` says which could)
    STALE_TERMS = "stale_terms"  # the raffle changed since its terms were read
    CODE_TAKEN = "code_taken"  # every number was claimable but the order code was taken


@dataclass(frozen=True, slots=True)
class Claim:
    result: ClaimResult
    order_id: int | None = None  # set only when RESERVED
    claimable: tuple[int, ...] = ()  # of the hold's numbers, those that could be claimed


@dataclass(slots=True)
class Hold:
    """One reservation to write: a new order holding exactly `numbers` until `until`."""

    raffle_id: int
    buyer_id: int
    numbers: list[int]  # sorted, distinct
    total: Decimal
    list_amount: Decimal  # before bundles and the early bird (`raffles.pricing`)
    code: str
    now: datetime
    until: datetime
    kind: str
    actor_type: str
    actor_user_id: int | None
    actor_label: str

    @property
    def count(self) -> int:
        """How many numbers this hold is for."""
        return len(self.numbers)


class TransactionStateError(RuntimeError):
    """A store was asked to write in the wrong transaction state (a programming error)."""


def in_transaction(connection: BaseDatabaseWrapper) -> bool:
    """A transaction is open: Django's (`atomic`) or one begun on the connection itself."""
    if connection.in_atomic_block or not connection.get_autocommit():
        return True
    raw = connection.connection
    return raw is not None and bool(getattr(raw, "in_transaction", False))


def require_transaction(connection: BaseDatabaseWrapper) -> None:
    if not in_transaction(connection):
        raise TransactionStateError("a reservation claim must run inside a transaction")


class ReservationStore(Protocol):
    """One database's hot path. `terms` is the raffle's guard as `load_raffle` read it."""

    def load_raffle(self, pk: int) -> tuple[Raffle, str] | None:
        """The raffle (as `objects.get` builds it) and its terms, read together."""

    def claim(self, hold: Hold, terms: str) -> Claim:
        """Write `hold` in the caller's open transaction (which rolls back anything but
        RESERVED). Raises TransactionStateError outside a transaction."""

    def claim_alone(self, hold: Hold, terms: str) -> Claim:
        """Write `hold` all or nothing in a transaction of its own: on SQLite a write
        transaction in the write queue, committed only when RESERVED (TransactionStateError
        if one is open); on PostgreSQL one statement, atomic by itself."""

    def nearby(
        self, raffle_id: int, around: Sequence[int], per_side: int, lapsed: int, now: datetime
    ) -> list[int]:
        """Up to `per_side` free numbers above and below each of `around`, and up to `lapsed`
        holds past their time, in one statement. May repeat numbers and include `around`."""

    def probe(self, raffle_id: int, starts: Sequence[int]) -> list[int | None]:
        """For each start, the first AVAILABLE number at or above it (None past the last)."""

    def claimable_among(self, raffle_id: int, numbers: Sequence[int], now: datetime) -> list[int]:
        """Those of `numbers` that are claimable now (free, or held past their time), in one
        statement of point lookups."""

    def claimable_upto(self, raffle_id: int, limit: int, now: datetime) -> list[int]:
        """Up to `limit` free numbers and up to `limit` holds past their time, in one
        statement (a raffle with fewer than `limit` of each gets all of them)."""
