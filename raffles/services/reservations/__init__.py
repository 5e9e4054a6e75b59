"""Reserving numbers: all-or-nothing, enforced by the write itself.

A number is claimed by one conditional UPDATE whose row count is checked, inside one
transaction:

    UPDATE ticket SET status='RESERVED', reserved_by_order=…, reserved_until=…
     WHERE raffle=… AND number IN (…)
       AND (status='AVAILABLE' OR (status='RESERVED' AND reserved_until < now))

so a hold past its time never blocks another buyer, even before the expiry job runs, and two
orders can never hold one number (the unique (raffle, number) row can only be in one state).
No lock is taken on the raffle row: buyers of different numbers never wait for each other on
PostgreSQL. SQLite serialises writers itself (BEGIN IMMEDIATE).

The package:

- `engine`: reserve_specific and reserve_random, and what they retry;
- `store`: the contract with the database (`ReservationStore`, `ClaimResult`), one store per
  database (`sqlite`, `postgres`) sharing `reads` and the column lists of `columns`;
- `known`: raffles kept in memory between reservations, guarded by their terms;
- `picking`: random picks and the free numbers offered instead of taken ones;
- `rules`: what is claimable and how many tickets a buyer may hold;
- `expiry`: releasing, expiring and reminding.
"""

from config.db.retry import one_at_a_time, retry_on_conflict
from raffles.services.reservations.engine import reserve_random, reserve_specific
from raffles.services.reservations.expiry import (
    expire_order,
    expire_reservations,
    release_order_reservations,
    send_expiry_reminders,
)
from raffles.services.reservations.picking import (
    EXPIRED_OFFER_CAP,
    nearest_free,
    remaining_count,
)
from raffles.services.reservations.rules import (
    AVAILABLE,
    RESERVED,
    SOLD,
    claimable,
    held_by_buyer,
)
from raffles.services.reservations.store import ClaimResult

__all__ = [
    "AVAILABLE",
    "EXPIRED_OFFER_CAP",
    "RESERVED",
    "SOLD",
    "ClaimResult",
    "claimable",
    "expire_order",
    "expire_reservations",
    "held_by_buyer",
    "nearest_free",
    "one_at_a_time",
    "release_order_reservations",
    "remaining_count",
    "reserve_random",
    "reserve_specific",
    "retry_on_conflict",
    "send_expiry_reminders",
]
