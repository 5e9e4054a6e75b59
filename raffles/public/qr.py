"""QR codes as PNG and SVG (segno), for posters and for checking an e-ticket."""

from __future__ import annotations

import io

import segno

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


def render(data: str, fmt: str) -> bytes:
    code = segno.make(data, error="m")
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=8, border=2, xmldecl=False)
    else:
        code.save(out, kind="png", scale=10, border=2)
    return out.getvalue()
