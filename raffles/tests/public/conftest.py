from __future__ import annotations

import pytest
from django.core.cache import cache

from raffles.public import memo


@pytest.fixture(autouse=True)
def _fresh_public_caches() -> None:
    """Each test starts with empty caches: the shared one and this process's memos."""
    cache.clear()
    memo.forget_all()
