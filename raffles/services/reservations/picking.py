"""Finding numbers: random ones to reserve, and free ones near a refused request to offer."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from raffles.models import Raffle, TicketNumber
from raffles.selectors import lapsed_holds
from raffles.services.reservations.rules import AVAILABLE
from raffles.services.reservations.stores import store_for

# Holds past their time looked at when offering nearby numbers. The expiry job frees them
# every minute, so there are rarely more; past this many, some are not offered.
EXPIRED_OFFER_CAP = 1000


def claimable_numbers(raffle: Raffle, now: datetime) -> list[QuerySet[TicketNumber]]:
    """Claimable tickets as two index-friendly querysets: free ones, and holds past their
    time. One `status = A OR (status = B AND …)` query ordered by number made PostgreSQL
    scan the raffle; the first is a seek on (raffle, status, number), the second on the
    holds' (raffle, reserved_until) alone."""
    return [
        TicketNumber.objects.filter(raffle=raffle, status=AVAILABLE),
        lapsed_holds(raffle, now),
    ]


def nearest_free(raffle: Raffle, around: Iterable[int], limit: int = 5) -> list[int]:
    """Up to `limit` claimable numbers closest to the given ones (to offer instead): free
    ones on either side of the first three, and holds past their time. One statement."""
    wanted = sorted(set(around))
    if not wanted:
        return []
    found = set(
        store_for().nearby(
            raffle.pk,
            wanted[:3],
            per_side=limit + len(wanted),
            lapsed=EXPIRED_OFFER_CAP + len(wanted),
            now=timezone.now(),
        )
    )
    found.difference_update(wanted)
    return sorted(found, key=lambda n: (min(abs(n - w) for w in wanted), n))[:limit]


def random_starts(low: int, high: int, count: int) -> list[int]:
    """`count` numbers from low to high, from the system's random source in one call (64
    random bits each: the bias of taking them modulo at most 1,000,000 is below 1e-13)."""
    span = high - low + 1
    data = secrets.token_bytes(8 * count)
    return [low + int.from_bytes(data[i : i + 8]) % span for i in range(0, 8 * count, 8)]


def probe_numbers(raffle: Raffle, want: int, exclude: set[int], now: datetime) -> list[int]:
    """Find up to `want` claimable numbers with index seeks from random starting points.

    Each probe is `… WHERE number >= start ORDER BY number LIMIT 1` on the (raffle, status,
    number) index, so the cost depends on `want`, not on the size of the raffle; all the
    probes of one call go in one statement.
    """
    store = store_for()
    found: list[int] = []
    seen = set(exclude)
    starts = random_starts(raffle.min_number, raffle.max_number, want * 2)
    wrapped = False
    for number in store.probe(raffle.pk, starts):
        if number is None:
            wrapped = True  # a start past the last free number: wrap to the lowest ones
        elif number not in seen and len(found) < want:
            seen.add(number)
            found.append(number)
    if len(found) < want and wrapped:
        for number in store.probe(raffle.pk, [raffle.min_number]):
            if number is not None and number not in seen:
                seen.add(number)
                found.append(number)
    if len(found) < want:
        # Few numbers left (or many probes collided): take what remains, holds past their
        # time included, skipping those already picked.
        free, expired = claimable_numbers(raffle, now)
        for rest in (free.order_by("number"), expired):
            rest = rest.exclude(number__in=seen)
            found.extend(rest.values_list("number", flat=True)[: want - len(found)])
            seen.update(found)
    return found


def remaining_count(raffle: Raffle, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(qs.count() for qs in claimable_numbers(raffle, now))
