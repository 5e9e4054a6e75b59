"""A raffle's board: which numbers of one block are free and which are taken.

Big raffles are shown a block at a time (`BLOCK_SIZE` numbers, ten to a row), so the image
has the same size and costs the same to draw for a raffle of 100 numbers or of a million.
Numbers are zero-padded to the width of the raffle's last number.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from PIL import Image, ImageDraw

from raffles.images.drawing import (
    FREE,
    FREE_INK,
    INK,
    MUTED,
    PAPER,
    TAKEN,
    TAKEN_INK,
    ascii_text,
    fit,
    font,
    to_png,
)

BLOCK_SIZE = 100
COLUMNS = 10
CELL_W = 88
CELL_H = 44
GAP = 6
MARGIN = 24
HEADER_H = 78
LEGEND_H = 52
NUMBER_SIZE = 20


@dataclass(frozen=True)
class Block:
    """Numbers `first` to `last`, both included."""

    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.first <= number <= self.last


@dataclass(frozen=True)
class BoardLabels:
    """Texts on the image, in the reader's language (the caller translates them)."""

    title: str
    subtitle: str  # e.g. "Numbers 0100–0199 of 0000–9999"
    free: str = "free"
    taken: str = "taken"


def block_of(number: int, min_number: int, max_number: int, size: int = BLOCK_SIZE) -> Block:
    """The block holding `number` (clamped into the raffle's range)."""
    number = min(max(number, min_number), max_number)
    first = min_number + (number - min_number) // size * size
    return Block(first, min(first + size - 1, max_number))


def block_count(min_number: int, max_number: int, size: int = BLOCK_SIZE) -> int:
    return math.ceil((max_number - min_number + 1) / size)


def image_size(block: Block) -> tuple[int, int]:
    rows = math.ceil(block.size / COLUMNS)
    width = MARGIN * 2 + COLUMNS * CELL_W + (COLUMNS - 1) * GAP
    height = HEADER_H + rows * CELL_H + (rows - 1) * GAP + LEGEND_H + MARGIN
    return width, height


def render_board(
    *, block: Block, taken: Collection[int], width: int, labels: BoardLabels
) -> Image.Image:
    """The block as an RGB image: free numbers green, taken ones grey and struck out.
    `taken` may hold numbers outside the block (ignored); `width` is the zero-padded width."""
    size = image_size(block)
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    usable = size[0] - 2 * MARGIN
    draw.text((MARGIN, MARGIN - 4), fit(draw, labels.title, 26, usable), fill=INK, font=font(26))
    draw.text(
        (MARGIN, MARGIN + 30), fit(draw, labels.subtitle, 16, usable), fill=MUTED, font=font(16)
    )
    taken_here = {n for n in taken if n in block}
    number_font = font(NUMBER_SIZE)
    for index in range(block.size):
        number = block.first + index
        row, column = divmod(index, COLUMNS)
        x = MARGIN + column * (CELL_W + GAP)
        y = HEADER_H + row * (CELL_H + GAP)
        is_taken = number in taken_here
        draw.rounded_rectangle(
            (x, y, x + CELL_W, y + CELL_H), radius=6, fill=TAKEN if is_taken else FREE
        )
        label = str(number).zfill(width)
        ink = TAKEN_INK if is_taken else FREE_INK
        draw.text((x + CELL_W / 2, y + CELL_H / 2), label, fill=ink, font=number_font, anchor="mm")
        if is_taken:
            draw.line((x + 10, y + CELL_H / 2, x + CELL_W - 10, y + CELL_H / 2), fill=ink, width=2)
    _legend(draw, size, labels)
    return image


def _legend(draw: ImageDraw.ImageDraw, size: tuple[int, int], labels: BoardLabels) -> None:
    y = size[1] - MARGIN - LEGEND_H / 2 + 8
    x = float(MARGIN)
    for fill, label in ((FREE, labels.free), (TAKEN, labels.taken)):
        text = ascii_text(label)
        draw.rounded_rectangle((x, y - 10, x + 28, y + 10), radius=4, fill=fill)
        draw.text((x + 36, y), text, fill=INK, font=font(16), anchor="lm")
        x += 36 + draw.textlength(text, font=font(16)) + 28


def board_png(*, block: Block, taken: Collection[int], width: int, labels: BoardLabels) -> bytes:
    return to_png(render_board(block=block, taken=taken, width=width, labels=labels))
