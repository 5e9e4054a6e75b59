"""A paid order's ticket: order code, numbers, raffle, draw date and a verification link
with its QR code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import segno
from PIL import Image, ImageDraw

from raffles.images.drawing import ACCENT, INK, MUTED, PAPER, ascii_text, fit, font, to_png

WIDTH = 900
MARGIN = 32
QR_SIZE = 240
NUMBERS_PER_LINE = 8
MAX_NUMBER_LINES = 6


@dataclass(frozen=True)
class TicketLabels:
    """Texts on the image, in the reader's language (the caller translates them)."""

    heading: str = "Ticket"
    order: str = "Order"
    numbers: str = "Numbers"
    draw: str = "Draw"
    verify: str = "Verify"
    more: str = "+%(n)d more"


@dataclass(frozen=True)
class TicketData:
    code: str
    numbers: Sequence[str]  # zero-padded
    raffle_title: str
    draw_date: str  # already formatted (with the time zone), or "" when not set
    url: str  # the verification link (its QR code is drawn when set)


def qr_image(url: str, size: int = QR_SIZE) -> Image.Image:
    """The QR code of `url`, scaled to about `size` pixels square."""
    code = segno.make(url, error="m")
    buffer = BytesIO()
    modules = code.symbol_size(scale=1, border=2)[0]
    code.save(buffer, kind="png", scale=max(1, size // modules), border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def number_lines(numbers: Sequence[str], more: str) -> list[str]:
    """The numbers, eight to a line, at most six lines (then "+N more")."""
    lines = [
        "  ".join(numbers[i : i + NUMBERS_PER_LINE])
        for i in range(0, len(numbers), NUMBERS_PER_LINE)
    ]
    if len(lines) <= MAX_NUMBER_LINES:
        return lines
    shown = (MAX_NUMBER_LINES - 1) * NUMBERS_PER_LINE
    return [*lines[: MAX_NUMBER_LINES - 1], more % {"n": len(numbers) - shown}]


def render_ticket(data: TicketData, labels: TicketLabels | None = None) -> Image.Image:
    labels = labels or TicketLabels()
    lines = number_lines(list(data.numbers), labels.more)
    text_w = WIDTH - 3 * MARGIN - QR_SIZE
    height = max(MARGIN * 2 + QR_SIZE + 40, 250 + len(lines) * 32 + 110)
    image = Image.new("RGB", (WIDTH, height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 12), fill=ACCENT)
    draw.rectangle((4, 16, WIDTH - 5, height - 5), outline=MUTED, width=1)
    y = MARGIN + 8
    draw.text((MARGIN, y), fit(draw, data.raffle_title, 30, text_w), fill=INK, font=font(30))
    y += 46
    draw.text((MARGIN, y), ascii_text(labels.heading), fill=MUTED, font=font(18))
    y += 36
    draw.text((MARGIN, y), ascii_text(f"{labels.order}: {data.code}"), fill=INK, font=font(26))
    y += 44
    draw.text((MARGIN, y), ascii_text(labels.numbers), fill=MUTED, font=font(18))
    y += 28
    for line in lines:
        draw.text((MARGIN, y), fit(draw, line, 24, text_w), fill=INK, font=font(24))
        y += 32
    if data.draw_date:
        y += 10
        draw.text((MARGIN, y), ascii_text(labels.draw), fill=MUTED, font=font(18))
        y += 26
        draw.text((MARGIN, y), fit(draw, data.draw_date, 20, text_w), fill=INK, font=font(20))
    if data.url:
        qr = qr_image(data.url).resize((QR_SIZE, QR_SIZE), Image.Resampling.NEAREST)
        x = WIDTH - MARGIN - QR_SIZE
        image.paste(qr, (x, MARGIN + 8))
        draw.text(
            (x + QR_SIZE / 2, MARGIN + 16 + QR_SIZE),
            ascii_text(labels.verify),
            fill=MUTED,
            font=font(16),
            anchor="mt",
        )
        url = fit(draw, data.url, 14, WIDTH - 2 * MARGIN)
        draw.text((MARGIN, height - MARGIN - 6), url, fill=ACCENT, font=font(14))
    return image


def ticket_png(data: TicketData, labels: TicketLabels | None = None) -> bytes:
    return to_png(render_ticket(data, labels))
