"""A small, valid PNG that looks like a bank receipt (for screenshots), without Pillow."""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 240, 320


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _pixel(x: int, y: int) -> tuple[int, int, int]:
    if y < 48:
        return (21, 84, 184)  # bank header
    if 70 <= y < 240 and 20 <= x < 220:
        row, offset = divmod(y - 70, 22)
        if offset < 8:
            width = (150, 190, 120, 170, 90, 180, 140, 160)[row % 8]
            if x < 20 + width:
                return (90, 98, 110) if row != 5 else (26, 127, 55)
    if 260 <= y < 290 and 20 <= x < 220:
        return (232, 245, 233)
    return (255, 255, 255)


def receipt_png() -> bytes:
    rows = b"".join(
        b"\x00" + bytes(c for x in range(WIDTH) for c in _pixel(x, y)) for y in range(HEIGHT)
    )
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )
