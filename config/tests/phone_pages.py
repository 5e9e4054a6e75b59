"""Walking pages in a browser on a phone, for the portal's and the public pages' browser
tests: each page must answer 200 and fit the screen's width."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def pages_wider_than_the_screen(
    page: Any,
    base: str,
    pages: Mapping[str, str],
    check: Callable[[str, Any], None] | None = None,
) -> list[str]:
    """Open each page (name → path), assert it answered 200, run `check(name, page)` on it,
    and name those that scroll sideways ("raffle (4px)")."""
    wide = []
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response is not None, name
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        if check is not None:
            check(name, page)
        overflow = page.evaluate(OVERFLOW)
        if overflow > 1:
            wide.append(f"{name} ({overflow}px)")
    return wide
