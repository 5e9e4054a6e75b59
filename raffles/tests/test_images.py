"""The server-rendered pictures: a raffle's board (a block at a time) and a paid order's
ticket. No timing assertions: "fast for a million numbers" is checked as work that does not
grow with the raffle (one block of cells drawn, the same reads)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image

from raffles import services
from raffles.images import board, ticket
from raffles.images import cache as board_cache
from raffles.models import Buyer, Raffle, TicketNumber
from raffles.tests.factories import BuyerFactory, make_raffle

LABELS = board.BoardLabels(title="Test raffle", subtitle="Numbers", free="free", taken="taken")


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- blocks ---------------------------------------------------------------------------------


def test_blocks_are_hundreds_from_the_first_number() -> None:
    assert board.block_of(0, 0, 99) == board.Block(0, 99)
    assert board.block_of(250, 1, 1000) == board.Block(201, 300)
    assert board.block_of(999_999, 0, 999_999) == board.Block(999_900, 999_999)
    assert board.block_of(5, 0, 49) == board.Block(0, 49)  # a short raffle: one short block
    assert board.block_of(10**9, 0, 149) == board.Block(100, 149)  # clamped into the range
    assert board.block_count(0, 999_999) == 10_000


def test_a_block_of_a_million_number_raffle_is_the_size_of_a_small_raffle() -> None:
    small = board.render_board(block=board.Block(0, 99), taken={3, 5}, width=2, labels=LABELS)
    big_block = board.block_of(654_321, 0, 999_999)
    big = board.render_board(block=big_block, taken=range(654_300, 654_350), width=6, labels=LABELS)
    assert big.size == small.size
    assert big.mode == small.mode == "RGB"


def test_the_board_draws_one_cell_per_number_of_the_block(monkeypatch: Any) -> None:
    drawn: list[str] = []
    real = board.ImageDraw.ImageDraw.text

    def spy(self: Any, xy: Any, text: str, *args: Any, **kwargs: Any) -> None:
        drawn.append(text)
        real(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(board.ImageDraw.ImageDraw, "text", spy)
    board.render_board(block=board.block_of(0, 0, 999_999), taken=(), width=6, labels=LABELS)
    numbers = [t for t in drawn if t.isdigit()]
    assert numbers[:3] == ["000000", "000001", "000002"]
    assert len(numbers) == 100


def test_free_and_taken_cells_have_different_colours() -> None:
    image = board.render_board(block=board.Block(0, 99), taken={0}, width=2, labels=LABELS)
    taken_corner = image.getpixel((board.MARGIN + 4, board.HEADER_H + 4))
    free_corner = image.getpixel((board.MARGIN + board.CELL_W + board.GAP + 4, board.HEADER_H + 4))
    assert taken_corner != free_corner
    assert free_corner == board.FREE


# --- tickets --------------------------------------------------------------------------------


def test_ticket_is_an_rgb_png_with_a_readable_qr_code() -> None:
    data = ticket.TicketData(
        code="ABC234",
        numbers=["0042", "0777"],
        raffle_title="Big raffle",
        draw_date="1 Feb 2027 20:00 (UTC)",
        url="https://raffles.example/raffles/xyz/draw/",
    )
    image = _png(ticket.ticket_png(data))
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size[0] == ticket.WIDTH


def test_many_numbers_are_cut_to_six_lines() -> None:
    numbers = [str(n).zfill(3) for n in range(100)]
    lines = ticket.number_lines(numbers, "+%(n)d more")
    assert len(lines) == ticket.MAX_NUMBER_LINES
    assert lines[-1] == "+60 more"
    image = ticket.render_ticket(
        ticket.TicketData("ABC234", numbers, "Raffle", "", ""), ticket.TicketLabels()
    )
    assert image.mode == "RGB"


# --- the board as the database has it, cached ------------------------------------------------


@pytest.fixture
def small(db: None) -> Raffle:
    return make_raffle(size=250)


def test_the_block_shown_is_the_one_asked_for_else_the_first_with_free_numbers(
    small: Raffle,
) -> None:
    buyer: Buyer = BuyerFactory()
    TicketNumber.objects.filter(raffle=small, number__lt=100).update(
        status=TicketNumber.Status.SOLD,
        reserved_by_order=services.confirm_paid(services.reserve_specific(small.pk, [0], buyer)),
    )
    first = board_cache.board_picture(small, lambda b: LABELS)
    assert first.block == board.Block(100, 199)
    assert first.free == 100
    asked = board_cache.board_picture(small, lambda b: LABELS, around=42)
    assert asked.block == board.Block(0, 99)
    assert asked.free == 0


def test_the_board_is_cached_until_the_next_sale(
    small: Raffle, django_assert_num_queries: Any, monkeypatch: Any
) -> None:
    cache.clear()
    renders: list[int] = []
    real = board_cache.board_png

    def counting(**kwargs: Any) -> bytes:
        renders.append(1)
        return real(**kwargs)

    monkeypatch.setattr(board_cache, "board_png", counting)
    one = board_cache.board_picture(small, lambda b: LABELS, around=5)
    two = board_cache.board_picture(small, lambda b: LABELS, around=5)
    assert one.png == two.png
    assert len(renders) == 1
    services.reserve_specific(small.pk, [5], BuyerFactory())
    three = board_cache.board_picture(small, lambda b: LABELS, around=5)
    assert len(renders) == 2
    assert three.version != one.version
    assert three.free == one.free - 1


def test_a_million_number_raffle_reads_one_block(db: None, django_assert_num_queries: Any) -> None:
    raffle = services.create_raffle(
        title="Million", ticket_price=1, min_number=0, max_number=999_999
    )
    TicketNumber.objects.bulk_create(
        TicketNumber(raffle=raffle, number=n) for n in range(500_000, 500_100)
    )
    cache.clear()
    with django_assert_num_queries(3):  # version (event, lapsed holds), then the block
        picture = board_cache.board_picture(raffle, lambda b: LABELS, around=500_042)
    assert picture.block == board.Block(500_000, 500_099)
    assert picture.free == 100
    image = _png(picture.png)
    assert image.mode == "RGB"
    assert image.size == board.image_size(picture.block)


def test_texts_are_drawn_in_the_fonts_ascii() -> None:
    from raffles.images.drawing import ascii_text

    assert ascii_text("Números – ¿libres? não…") == "Numeros - libres? nao..."
