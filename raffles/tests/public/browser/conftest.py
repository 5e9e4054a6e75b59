"""Playwright against a live server for the public pages (Debian's Chromium). Run with
`uv run pytest -m browser`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def public_browser(browser: Any) -> Any:
    """The project's one Chromium (the root conftest's `browser`)."""
    return browser


@pytest.fixture(params=["phone", "desktop"])
def visitor(request: Any, public_browser: Any) -> Iterator[tuple[str, Any, list[str]]]:
    """A page on a phone or a desktop; JavaScript errors and CSP violations are collected."""
    viewport = PHONE if request.param == "phone" else DESKTOP
    context = public_browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "favicon" not in msg.text else None
        ),
    )
    yield request.param, page, errors
    context.close()
