"""What both renderers share: the bundled font, colours, PNG encoding."""

from __future__ import annotations

import functools
import io
import unicodedata

from PIL import Image, ImageDraw, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

INK = (33, 37, 41)
MUTED = (108, 117, 125)
PAPER = (255, 255, 255)
FREE = (212, 237, 218)  # light green
FREE_INK = (21, 87, 36)
TAKEN = (222, 226, 230)  # light grey
TAKEN_INK = (134, 142, 150)
ACCENT = (13, 110, 253)


@functools.cache
def font(size: int) -> Font:
    """Pillow's bundled TrueType font at this size (no system fonts needed)."""
    return ImageFont.load_default(size=size)


# The bundled font draws ASCII only: other characters are written with their closest ASCII.
_ASCII = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00bf": "", "\u00a1": ""})


def ascii_text(text: str) -> str:
    """`text` as the bundled font can draw it: accents dropped ("Números" -> "Numeros"),
    dashes and ellipses spelt in ASCII, anything else left out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))


def text_width(draw: ImageDraw.ImageDraw, text: str, size: int) -> float:
    return draw.textlength(text, font=font(size))


def fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: float) -> str:
    """`text` in ASCII (`ascii_text`), cut with an ellipsis so it fits in `width` pixels."""
    text = ascii_text(text)
    if text_width(draw, text, size) <= width:
        return text
    while text and text_width(draw, text + "...", size) > width:
        text = text[:-1]
    return text + "..."


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
