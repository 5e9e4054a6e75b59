"""Helpers for the draw tests (test_draws*.py), and the method re-implemented independently
from docs/draws.md, so the tests never check the code against itself."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from raffles import services
from raffles.models import Buyer, Order, Raffle
from raffles.tests.factories import BuyerFactory, make_raffle


def sell(raffle: Raffle, numbers: Iterable[int], buyer: Buyer | None = None) -> Order:
    """Reserve and confirm the payment of these numbers."""
    order = services.reserve_specific(raffle.pk, list(numbers), buyer or BuyerFactory())
    return services.confirm_paid(order)


def closed_raffle(*sold: Iterable[int], size: int = 100, **fields: object) -> Raffle:
    """An active raffle where each iterable of numbers was one paid order; then closed."""
    raffle = make_raffle(size=size, **fields)
    for numbers in sold:
        sell(raffle, numbers)
    return services.close_raffle(raffle)


# --- The documented method, written again from docs/draws.md ------------------------------


def doc_sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def doc_entries(numbers: Iterable[int], width: int) -> str:
    return "".join(str(n).zfill(width) + "\n" for n in sorted(numbers))


def doc_winners(seed: str, external: str, entries: str, prizes: int) -> list[str]:
    list_hash = doc_sha(entries)
    pool = entries.splitlines()
    winners = []
    for i in range(prizes):
        n = len(pool)
        limit = 2**256 - 2**256 % n
        counter = 0
        while True:
            msg = f"{external}|{list_hash}|{i}|{counter}".encode()
            x = int.from_bytes(hmac.new(seed.encode(), msg, hashlib.sha256).digest(), "big")
            if x < limit:
                break
            counter += 1
        winners.append(pool.pop(x % n))
    return winners
