"""Project-wide pytest fixtures."""

import os
from collections.abc import Iterator

import pytest

# API clients with keys and staff sessions, shared by the API tests of every app.
pytest_plugins = ["config.tests.api_fixtures"]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (0o022) for the test, so file modes show what the code sets."""
    old = os.umask(0o022)
    yield
    os.umask(old)
