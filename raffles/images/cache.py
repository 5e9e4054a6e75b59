"""A raffle's board as the database has it now, rendered once per change.

The PNG is cached under the raffle, its board version (which changes on every sale, release
and expiry: the raffle's last audit event, and how many holds have run out unreleased) and the
block and labels, so asking again before anything changes costs two small reads, not a
render. Reading a block costs one range of at most `BLOCK_SIZE` rows of the raffle's
(raffle, number) index, whatever the raffle's size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from raffles.images.board import BLOCK_SIZE, Block, BoardLabels, block_of, board_png
from raffles.models import OrderEvent, Raffle, TicketNumber
from raffles.rules import TicketStatus

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class BoardPicture:
    png: bytes
    block: Block
    free: int  # free numbers in the block
    version: str


def board_version(raffle_id: int, now: datetime | None = None) -> str:
    """Changes whenever what the board shows may have changed: an order event of the raffle
    (reserved, paid, cancelled, expired...) or a hold running out before it is released."""
    now = now or timezone.now()
    last = (
        OrderEvent.objects.filter(raffle_id=raffle_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    lapsed = TicketNumber.objects.filter(raffle_id=raffle_id).lapsed(now).count()
    return f"{last or 0}.{lapsed}"


def first_free_number(raffle: Raffle, now: datetime) -> int | None:
    """The lowest free number (a hold past its time counts as free): two index seeks."""
    tickets = TicketNumber.objects.filter(raffle=raffle)
    free = (
        tickets.filter(status=TicketStatus.AVAILABLE)
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )
    lapsed = tickets.lapsed(now).order_by("number").values_list("number", flat=True).first()
    found = [n for n in (free, lapsed) if n is not None]
    return min(found) if found else None


def choose_block(raffle: Raffle, around: int | None, now: datetime) -> Block:
    """The block around `around` when it is one of the raffle's numbers, else the first block
    with a free number, else the first block."""
    if around is None or not raffle.min_number <= around <= raffle.max_number:
        around = first_free_number(raffle, now)
    return block_of(
        raffle.min_number if around is None else around, raffle.min_number, raffle.max_number
    )


def free_in_block(raffle: Raffle, block: Block, now: datetime) -> set[int]:
    """The free numbers of the block; a number without a row (not generated) is not free."""
    return set(
        TicketNumber.objects.filter(raffle=raffle, number__gte=block.first, number__lte=block.last)
        .claimable(now)
        .values_list("number", flat=True)
    )


def board_picture(
    raffle: Raffle,
    labels_for: Callable[[Block], BoardLabels],
    *,
    around: int | None = None,
    now: datetime | None = None,
) -> BoardPicture:
    """The board's block around `around` (else the first with free numbers), from the cache
    when nothing changed since it was drawn. `labels_for(block)`: the texts on the picture."""
    now = now or timezone.now()
    block = choose_block(raffle, around, now)
    labels = labels_for(block)
    version = board_version(raffle.pk, now)
    key = _key(raffle.pk, version, block, labels)
    cached = cache.get(key)
    if cached is not None:
        png, free = cached
        return BoardPicture(png, block, free, version)
    free_numbers = free_in_block(raffle, block, now)
    taken = [n for n in range(block.first, block.last + 1) if n not in free_numbers]
    png = board_png(block=block, taken=taken, width=raffle.number_width, labels=labels)
    cache.set(key, (png, len(free_numbers)), CACHE_SECONDS)
    return BoardPicture(png, block, len(free_numbers), version)


def _key(raffle_id: int, version: str, block: Block, labels: BoardLabels) -> str:
    words = "\x1f".join((labels.title, labels.subtitle, labels.free, labels.taken))
    digest = hashlib.sha256(words.encode()).hexdigest()[:16]
    return f"raffles:board:{raffle_id}:{version}:{block.first}:{BLOCK_SIZE}:{digest}"
