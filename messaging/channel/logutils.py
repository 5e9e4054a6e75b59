"""Logging helpers: phone numbers and business-scoped user ids never appear whole in a log line."""

from __future__ import annotations

MASK = "*****"


def mask_phone(phone: str | None) -> str:
    """`mask_phone("5215512345678") -> "52155*****78"`. The mask hides the length too.

    A business-scoped user id keeps its country prefix: `"US.13491208655302741918"` ->
    `"US.13*****18"`."""
    if not phone:
        return "-"
    value = str(phone)
    if len(value) > 3 and value[2:3] == "." and value[:2].isalpha():
        rest = value[3:]
        return f"{value[:3]}{rest[:2]}{MASK}{rest[-2:]}" if len(rest) >= 6 else value[:3] + MASK
    prefix = "+" if value.startswith("+") else ""
    digits = value.removeprefix("+")
    if len(digits) >= 9:
        return f"{prefix}{digits[:5]}{MASK}{digits[-2:]}"
    if len(digits) >= 5:
        return f"{prefix}{digits[:2]}{MASK}{digits[-2:]}"
    return prefix + MASK
