"""Random picks are uniform over the claimable numbers, whatever the layout of the sold ones.

A chi-square test with a fixed seed (the picker's random source is replaced by a seeded
one, so the outcome is the same on every run): a small raffle where a long sold run comes
right before the free numbers (a picker that took "the first free number after a random
start" would choose the number right after the run about 30 times more often than any
other), and one of stripes. `READ_ALL_UP_TO` is lowered so that the small raffle goes
through the sampling rounds a large raffle goes through; the other test keeps it and reads
the few numbers left.
"""

from __future__ import annotations

import random
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from raffles.models import Order, TicketNumber
from raffles.services.reservations import picking
from raffles.tests.factories import make_raffle

SIZE = 200
DRAWS = 3000
# The chi-square value that 49 degrees of freedom exceed with probability 0.001.
CHI2_49_P001 = 85.35


def seeded(monkeypatch: Any, seed: int) -> None:
    rng = random.Random(seed)
    source = SimpleNamespace(token_bytes=rng.randbytes)
    monkeypatch.setattr(picking, "secrets", source)


def sell(raffle: Any, buyer: Any, numbers: list[int]) -> None:
    order = Order.objects.create(
        raffle=raffle, buyer=buyer, qty=len(numbers), total_amount=0, status=Order.Status.PAID
    )
    TicketNumber.objects.filter(raffle=raffle, number__in=numbers).update(
        status=TicketNumber.Status.SOLD, reserved_by_order=order
    )


def chi_square(counts: Counter[int], free: list[int], draws: int) -> float:
    expected = draws / len(free)
    return sum((counts[n] - expected) ** 2 / expected for n in free)


@pytest.mark.parametrize(
    "sold",
    [
        pytest.param(list(range(150)), id="a long run before the free numbers"),
        pytest.param([n for n in range(SIZE) if n % 4 != 3], id="stripes"),
    ],
)
def test_random_picks_are_uniform_over_the_free_numbers(db, buyer, monkeypatch, sold):
    raffle = make_raffle(size=SIZE)
    sell(raffle, buyer, sold)
    free = sorted(set(range(SIZE)) - set(sold))
    assert len(free) == 50
    seeded(monkeypatch, 20)
    monkeypatch.setattr(picking, "READ_ALL_UP_TO", 8)
    now = timezone.now()
    counts: Counter[int] = Counter()
    for _ in range(DRAWS):
        (number,) = picking.pick_numbers(raffle, 1, set(), now)
        counts[number] += 1
    assert set(counts) <= set(free)
    assert chi_square(counts, free, DRAWS) < CHI2_49_P001


def test_the_last_numbers_are_chosen_uniformly_too(db, buyer, monkeypatch):
    raffle = make_raffle(size=SIZE)
    free = list(range(150, 200))
    sell(raffle, buyer, list(range(150)))
    seeded(monkeypatch, 21)
    now = timezone.now()
    counts: Counter[int] = Counter()
    for _ in range(DRAWS // 3):
        picked = picking.pick_numbers(raffle, 3, set(), now)
        assert len(set(picked)) == 3
        counts.update(picked)
    assert chi_square(counts, free, DRAWS) < CHI2_49_P001


def test_a_pick_never_returns_an_excluded_or_taken_number(db, buyer, monkeypatch):
    raffle = make_raffle(size=SIZE)
    sell(raffle, buyer, list(range(190)))
    seeded(monkeypatch, 22)
    monkeypatch.setattr(picking, "READ_ALL_UP_TO", 4)
    picked = picking.pick_numbers(raffle, 20, {190, 191}, timezone.now())
    assert sorted(picked) == list(range(192, 200))
