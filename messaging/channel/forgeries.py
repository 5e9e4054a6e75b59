"""Count forged webhook posts (a missing or wrong signature) without touching the database.

A forgery costs a log line (in the view) and one increment of an in-process counter. The
counter is added to the shared cache at most once every FLUSH_SECONDS per process, so a flood
of forgeries writes to the cache (on the database cache, a row) a few times a minute at most,
never once per post. `total()` is what the cache holds plus what this process has not added
yet; /healthz reports it as `forged_webhooks`.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

CACHE_KEY = "whatsapp:forged-webhooks"
FLUSH_SECONDS = 30.0

_lock = threading.Lock()
_pending = 0
_flushed_at: float | None = None


def count_forgery() -> None:
    """One more forged post; hand the count to the cache if the last hand-over is old."""
    global _pending, _flushed_at
    with _lock:
        _pending += 1
        now = time.monotonic()
        if _flushed_at is not None and now - _flushed_at < FLUSH_SECONDS:
            return
        delta, _pending, _flushed_at = _pending, 0, now
    try:
        _add_to_cache(delta)
    except Exception:  # a broken cache must not turn a 403 into a 500
        logger.warning("forged webhook counter: the cache failed, %d kept in process", delta)
        with _lock:
            _pending += delta


def _add_to_cache(delta: int) -> None:
    if not cache.add(CACHE_KEY, delta, timeout=None):
        cache.incr(CACHE_KEY, delta)


def total() -> int:
    """Forged posts counted so far: every process's flushed count plus this one's pending."""
    with _lock:
        pending = _pending
    try:
        stored = int(cache.get(CACHE_KEY) or 0)
    except Exception:
        logger.warning("forged webhook counter: the cache failed")
        stored = 0
    return stored + pending


def reset() -> None:
    """Forget the count (tests, or an operator after looking into a flood)."""
    global _pending, _flushed_at
    with _lock:
        _pending, _flushed_at = 0, None
    cache.delete(CACHE_KEY)
