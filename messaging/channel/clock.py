"""The outbox's notion of "now": the real time, plus an offset that tests advance.

Everything that schedules or judges outbound rows (claims, leases, retries, the sweeper,
read receipts' age, the 24-hour window, pacing slots) reads the time here, so a test can
simulate an outage of hours without sleeping. In production the offset is always zero.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from django.utils import timezone

_lock = threading.Lock()
_offset = timedelta(0)


def now() -> datetime:
    return timezone.now() + _offset


def advance(seconds: float) -> datetime:
    """Move the clock forward (tests only). Returns the new now."""
    global _offset
    with _lock:
        _offset += timedelta(seconds=seconds)
    return now()


def reset() -> None:
    global _offset
    with _lock:
        _offset = timedelta(0)
