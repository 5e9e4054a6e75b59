"""Failure counters in Django's cache, shared by every process (database cache or Redis).

Used against guessing: failed portal sign-ins (per username and per client address) and
unknown API keys (per client address). Counts live in fixed windows: once a key reaches its
limit it is refused until its window ends. A broken cache never locks anyone out (the check
passes and the failure is logged).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str  # what is counted: "login-user", "login-ip", "api-key-ip"
    count: int  # failures allowed per window
    seconds: int  # the window

    def _key(self, ident: str, now: float) -> tuple[str, float]:
        window = math.floor(now / self.seconds) * self.seconds
        digest = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()[:32]
        return f"throttle:{self.scope}:{self.seconds}:{digest}:{int(window)}", window

    def retry_after(self, ident: str, now: float | None = None) -> int | None:
        """Seconds until `ident` may try again, or None if it is not blocked."""
        now = time.time() if now is None else now
        key, window = self._key(ident, now)
        try:
            used = cache.get(key) or 0
        except Exception:
            logger.exception("throttle %s skipped: the cache failed", self.scope)
            return None
        if used < self.count:
            return None
        return max(1, math.ceil(window + self.seconds - now))

    def fail(self, ident: str, now: float | None = None) -> int:
        """Count one failure of `ident`; returns the count in this window (0 if unknown)."""
        now = time.time() if now is None else now
        key, window = self._key(ident, now)
        timeout = math.ceil(window + self.seconds - now) + 5
        try:
            if cache.add(key, 1, timeout=timeout):
                return 1
            used = cache.incr(key)
            cache.touch(key, timeout)  # the database cache's incr resets the expiry
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
        except Exception:
            logger.exception("throttle %s not counted: the cache failed", self.scope)
            return 0
        return int(used)


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind a reverse proxy the last address of the
    header named in CLIENT_IP_HEADER (the one that proxy appended; earlier ones are
    whatever the client claimed)."""
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.headers.get(header, "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def login_limits() -> tuple[Limit, Limit]:
    seconds = settings.LOGIN_FAILURE_WINDOW_SECONDS
    return (
        Limit("login-user", settings.LOGIN_FAILURES_PER_USERNAME, seconds),
        Limit("login-ip", settings.LOGIN_FAILURES_PER_IP, seconds),
    )


def login_retry_after(username: str, ip: str) -> int | None:
    """Seconds until this username or address may try to sign in again; None if free."""
    by_user, by_ip = login_limits()
    waits = [by_user.retry_after(username.casefold()), by_ip.retry_after(ip)]
    return max((w for w in waits if w is not None), default=None)


def login_failed(username: str, ip: str) -> None:
    by_user, by_ip = login_limits()
    by_user.fail(username.casefold())
    by_ip.fail(ip)
    logger.warning("portal sign-in failed for a username from %s", ip)
