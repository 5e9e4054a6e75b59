"""A small per-process memo in front of Django's cache: a launch's traffic asks the same few
keys thousands of times a second, and the shared cache (the database cache by default) costs
a round trip each time. Entries live at most `seconds`; the shared cache holds the truth."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

_ALL: list[Memo] = []


def now() -> float:
    """The memos' clock (tests move it)."""
    return time.monotonic()


class Memo:
    def __init__(self, seconds: float, size: int = 2048) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: str) -> Any:
        """The value, or None when absent or older than `seconds`."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < now():
                del self._items[key]
                return None
            return item[1]

    def set(self, key: str, value: Any, seconds: float | None = None) -> None:
        """Keep `value` for `seconds` (the memo's own lifetime when None)."""
        with self._lock:
            self._items[key] = (now() + (self.seconds if seconds is None else seconds), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self, prefix: str = "") -> None:
        with self._lock:
            for key in [k for k in self._items if k.startswith(prefix)]:
                del self._items[key]


def forget_all() -> None:
    """Empty every memo of this process (tests)."""
    for memo in _ALL:
        memo.forget()
