"""The live board, one block of numbers at a time, cached by the raffle's version.

A block is `BLOCK_SIZE` consecutive numbers; its taken numbers (sold, or held by a current
hold) are read with one range query on (raffle, status, number) and sent as a bitmap, so a
1,000,000-number raffle costs the same per block as a 100-number one. Blocks are kept in the
shared cache and in this process's memo under the version: while nothing is sold, visitors
cost no database work beyond the version (itself cached).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from raffles.models import Raffle, TicketNumber
from raffles.public import version as versions
from raffles.public.memo import Memo

BLOCK_SIZE = 1000
BLOCK_SECONDS = 300  # shared cache; the key changes with the version anyway
_local = Memo(60.0, size=4096)


@dataclass(frozen=True)
class Block:
    index: int
    start: int
    end: int  # inclusive
    taken: frozenset[int]


def block_count(raffle: Raffle) -> int:
    return (raffle.size + BLOCK_SIZE - 1) // BLOCK_SIZE


def block_of(raffle: Raffle, number: int) -> int:
    return (number - raffle.min_number) // BLOCK_SIZE


def read_block(raffle: Raffle, index: int) -> Block:
    start = raffle.min_number + index * BLOCK_SIZE
    end = min(start + BLOCK_SIZE - 1, raffle.max_number)
    now = timezone.now()
    showing = TicketNumber.objects.showing_as
    taken: set[int] = set()
    for status in (TicketNumber.Status.SOLD, TicketNumber.Status.RESERVED):
        rows = showing(status, now).filter(raffle=raffle, number__gte=start, number__lte=end)
        taken.update(rows.values_list("number", flat=True))
    return Block(index=index, start=start, end=end, taken=frozenset(taken))


def bitmap(block: Block) -> str:
    """Bit i (most significant first in each byte) is set when start+i is taken."""
    data = bytearray((block.end - block.start + 8) // 8)
    for number in block.taken:
        i = number - block.start
        data[i >> 3] |= 0x80 >> (i & 7)
    return base64.b64encode(bytes(data)).decode()


def feed(raffle: Raffle, index: int, version: versions.Version) -> dict[str, Any]:
    """One block as the JSON feed sends it, from the memo, the cache or the database."""
    key = f"public:block:{raffle.pk}:{index}:{version.tag}"
    payload = _local.get(key)
    if payload is None:
        payload = cache.get(key)
        if payload is None:
            block = read_block(raffle, index)
            payload = {
                "block": index,
                "blocks": block_count(raffle),
                "start": block.start,
                "end": block.end,
                "width": raffle.number_width,
                "taken": bitmap(block),
                "free": (block.end - block.start + 1) - len(block.taken),
                "version": version.tag,
            }
            cache.set(key, payload, BLOCK_SECONDS)
        _local.set(key, payload)
    return dict(payload)
