"""After a bulk change of ticket statuses: the ticket table tidied, so the next pick is fast.

On PostgreSQL an UPDATE of many numbers at once (a block of numbers kept out of sale, a
bulk sale) leaves, in the index of free numbers, one dead entry per changed row until VACUUM
removes it, and leaves the planner with the statistics of before. The first read of the last
free numbers after such a change walks every dead entry (seconds in a raffle of a million), so
the service that made the change runs VACUUM (ANALYZE) on the ticket table once its
transaction has committed (VACUUM cannot run inside one). Small changes are left to
autovacuum. SQLite keeps no dead entries: nothing to do there.
"""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction

from raffles.models import TicketNumber

logger = logging.getLogger(__name__)

BULK_CHANGE = 10_000  # numbers changed in one go from which the table is tidied after


def after_bulk_change(changed: int) -> None:
    """Tidy the ticket table once the current transaction commits (at once outside one),
    when `changed` numbers changed status in one go."""
    if changed < BULK_CHANGE or connection.vendor != "postgresql":
        return
    transaction.on_commit(tidy_tickets)


def tidy_tickets() -> float:
    """VACUUM (ANALYZE) the ticket table on PostgreSQL; seconds it took (0: not run). Never
    raises: a table left untidy only makes the next pick slower."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0.0
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE, INDEX_CLEANUP ON) {TicketNumber._meta.db_table}")
    except Exception:
        logger.exception("ticket table not tidied after a bulk change")
        return 0.0
    return time.monotonic() - started
