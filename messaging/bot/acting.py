"""Whether the bot itself is carrying out a buyer's action right now.

The runner marks the buyer while it runs a domain effect (`bot_acting`); the notifications
skip the signals that action sends (`is_bot_acting`), because the bot's own reply says it.
A module of its own, so the runner needs nothing from the notifications.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_bot_acting: ContextVar[frozenset[int]] = ContextVar("bot_acting", default=frozenset())


@contextmanager
def bot_acting(buyer_id: int) -> Iterator[None]:
    """Within this block the bot answers this buyer itself: skip the duplicate notices."""
    token = _bot_acting.set(_bot_acting.get() | {buyer_id})
    try:
        yield
    finally:
        _bot_acting.reset(token)


def is_bot_acting(buyer_id: int) -> bool:
    return buyer_id in _bot_acting.get()
