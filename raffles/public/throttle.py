"""Attempts counted in Django's cache in fixed windows, for the "my numbers" lookup. Every
attempt counts (found or not), so the limit says nothing about what exists."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

LOOKUPS_PER_WINDOW = 10
WINDOW_SECONDS = 600


def client_ip(request: HttpRequest) -> str:
    header = settings.CLIENT_IP_HEADER
    if header:
        last = request.headers.get(header, "").split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(ident: str, now: float | None = None) -> bool:
    """Count one attempt of `ident`; False once it has used up its window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    digest = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()[:32]
    key = f"throttle:public-lookup:{digest}:{window}"
    try:
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
            return True
        used = cache.incr(key)
        cache.touch(key, WINDOW_SECONDS + 5)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        return True
    except Exception:
        logger.exception("lookup throttle skipped: the cache failed")
        return True
    return int(used) <= LOOKUPS_PER_WINDOW
