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


# Random picks: numbers drawn uniformly over the raffle's range are kept when claimable
# (rejection sampling), so every claimable number is equally likely whatever the layout of
# the sold ones. Few claimable numbers left: read them all and choose among them.
FIRST_SAMPLE = 64  # numbers looked up in the first round (each a point lookup)
MAX_SAMPLE = 4096  # at most this many in one round
MAX_ROUNDS = 4
READ_ALL_UP_TO = 4096  # estimated claimable numbers at or under which they are all read


def pick_numbers(raffle: Raffle, want: int, exclude: set[int], now: datetime) -> list[int]:
    """Up to `want` claimable numbers not in `exclude`, chosen uniformly at random among the
    claimable ones (fewer only when fewer are left).

    Each round draws numbers uniformly over the range and keeps the claimable ones, in the
    order drawn, in one statement of point lookups on (raffle, number): its cost depends on
    how many are drawn, not on the raffle's size, its layout or its statistics. The rounds
    grow with the share of misses; when that share says few numbers are left (or the raffle
    is small), the claimable numbers are read (at most READ_ALL_UP_TO of them, from the index
    of free numbers) and the choice is made among them.
    """
    store = store_for()
    low, high = raffle.min_number, raffle.max_number
    span = high - low + 1
    found: list[int] = []
    seen = set(exclude)
    drawn = hits = 0

    def draw(size: int) -> bool:
        """One round; True once `want` are found."""
        nonlocal drawn, hits
        sample = random_starts(low, high, size)
        claimable = set(store.claimable_among(raffle.pk, sorted(set(sample)), now))
        drawn += len(sample)
        hits += sum(1 for n in sample if n in claimable)
        for number in sample:
            if number in claimable and number not in seen:
                seen.add(number)
                found.append(number)
                if len(found) == want:
                    return True
        return False

    size = FIRST_SAMPLE
    for _ in range(MAX_ROUNDS if span > READ_ALL_UP_TO else 0):
        if draw(size):
            return found
        share = (hits + 1) / (drawn + 2)  # of the range still claimable (estimated)
        if share * span <= READ_ALL_UP_TO:
            break
        size = min(MAX_SAMPLE, max(FIRST_SAMPLE, round(3 * (want - len(found)) / share)))
    every = store.claimable_upto(raffle.pk, READ_ALL_UP_TO, now)
    pool = sorted(set(every).difference(exclude))
    if len(every) < READ_ALL_UP_TO:  # all of them: choose among them
        return pool if len(pool) <= want else _sample(pool, want)
    # More than estimated (the rounds were unlucky): keep drawing; in the end, if ever,
    # complete from the lowest ones read.
    for _ in range(MAX_ROUNDS):
        if draw(MAX_SAMPLE):
            return found
    found.extend(n for n in pool if n not in seen)
    return found[:want]


def _sample(pool: list[int], count: int) -> list[int]:
    """`count` distinct members of `pool` (more than `count`), uniformly, in the order drawn;
    from `random_starts`, the one source of randomness here (tests replace it)."""
    chosen: list[int] = []
    taken: set[int] = set()
    while len(chosen) < count:
        for i in random_starts(0, len(pool) - 1, 2 * (count - len(chosen))):
            if i not in taken:
                taken.add(i)
                chosen.append(pool[i])
                if len(chosen) == count:
                    break
    return chosen


def remaining_count(raffle: Raffle, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(qs.count() for qs in claimable_numbers(raffle, now))
