"""Logging helpers: phone numbers never appear whole in a log line."""

from __future__ import annotations

MASK = "*****"


def mask_phone(phone: str | None) -> str:
    """`mask_phone("5215512345678") -> "52155*****78"`. The mask hides the length too."""
    if not phone:
        return "-"
    value = str(phone)
    prefix = "+" if value.startswith("+") else ""
    digits = value.removeprefix("+")
    if len(digits) >= 9:
        return f"{prefix}{digits[:5]}{MASK}{digits[-2:]}"
    if len(digits) >= 5:
        return f"{prefix}{digits[:2]}{MASK}{digits[-2:]}"
    return prefix + MASK
