"""Playwright against a live server, in Debian's Chromium (`apt-get install chromium`).

Run with `uv run pytest -m browser`. Tests run django-q2 tasks synchronously and use the
locmem cache (config.settings_test), so the live server thread answers the bot at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}
PASSWORD = "Browser-test-pass-42"


@pytest.fixture
def staff(transactional_db: None) -> Any:
    from portal.models import StaffRole

    user = get_user_model().objects.create_user(
        "clerk", password=PASSWORD, is_staff=True, first_name="Clara"
    )
    StaffRole.objects.create(user=user, role="owner")  # may do everything in the portal
    return user


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


def login(page: Any, base: str, username: str = "clerk", password: str = PASSWORD) -> None:
    page.goto(base + "/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/portal/")


def unicorn_ready(page: Any, *names: str) -> None:
    """Wait until django-unicorn has set up these components on the page: their HTML is
    there (and visible) before their script binds `unicorn:click` and `unicorn:model`, and
    on a slow machine a click in between is lost."""
    page.wait_for_function(
        """(names) => names.every((name) => {
            try { return !!window.Unicorn.getComponent(name); } catch (e) { return false; }
        })""",
        arg=list(names),
    )


@pytest.fixture
def page(context: Any, live_server: Any, staff: Any, page_errors: list[str]) -> Any:
    """A signed-in staff page; JavaScript errors are collected and fail the test."""
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            page_errors.append(msg.text)
            if msg.type == "error" and "favicon" not in msg.text
            else None
        ),
    )
    login(page, live_server.url)
    return page


def click_until_shown(page: Any, button: str, shown: Any, *, tries: int = 3) -> None:
    """Click `button` until the locator `shown` appears (5 s per try). On a loaded machine a
    click that lands while django-unicorn is still binding another component on the page
    (the nav's polled badge) can be lost; the staff member would simply click again."""
    for attempt in range(tries):
        page.click(button)
        try:
            shown.wait_for(state="visible", timeout=5_000)
            return
        except PlaywrightTimeoutError:
            if attempt == tries - 1:
                raise
