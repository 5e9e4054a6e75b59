"""Project-wide pytest fixtures."""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# API clients with keys and staff sessions, shared by the API tests of every app.
pytest_plugins = ["config.tests.api_fixtures", "messaging.tests.bot_fixtures"]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (0o022) for the test, so file modes show what the code sets."""
    old = os.umask(0o022)
    yield
    os.umask(old)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The one headless Chromium (Debian's, `apt-get install chromium`) of every browser
    test: Playwright's sync API runs one instance per thread, so the portal's and the public
    pages' tests share it."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Playwright's 5 s default suits a developer's machine; CI shares two slow cores with
    # PostgreSQL and the task workers. Checks that time the product keep their own timeouts.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
