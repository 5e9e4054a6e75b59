"""Who may call the API, and how often.

Three ways in, tried in this order (the first that applies decides):

1. `Authorization: Bearer <key>`: an API key (portal.ApiKey), created by a superuser.
2. `X-API-Key: <key>`: the same keys, for clients that cannot set Authorization.
3. A staff session (the portal's login cookie), with Django's CSRF check on unsafe methods.

A key that is sent but unknown or revoked is refused (401) even when a session exists.
Read-only keys may only read (403 on POST, PUT, PATCH, DELETE). Each operation needs a
permission of `portal.roles.API_PERMISSIONS`, held by the key's own role (`ApiKey.role`) or
the staff user's role (`enforce_roles`, 403 `role_refused` otherwise). Every key (or staff user)
gets `settings.API_THROTTLE_RATE` requests (e.g. "600/min"; 429 with Retry-After beyond),
counted in Django's cache in fixed windows. The clear key is never logged nor stored.
Unknown keys are counted per client address (`settings.API_INVALID_KEY_RATE`): past it,
every key from that address gets 429 until the window ends.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled
from ninja.operation import Operation
from ninja.security import APIKeyHeader, HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from config.log_filters import refusal_logged
from portal.models import ApiKey
from portal.roles import allows, api_permission, role_of
from portal.services import hash_api_key, mark_api_key_used
from portal.throttle import Limit, client_ip
from raffles.services import Actor

logger = logging.getLogger(__name__)

DEFAULT_THROTTLE_RATE = "600/min"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
PERIODS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}
MAX_KEY_LENGTH = 200


class ApiAuthError(HttpError):
    """An authentication or permission failure with a stable error `code`."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


@dataclass(frozen=True)
class Principal(Actor):
    """What `request.auth` holds: who calls, an Actor that services record on every write
    (`by=request.auth`), plus what the caller may do."""

    read_only: bool = False
    role: str = ""
    throttle_id: str = ""
    api_key: ApiKey | None = None


# --- Throttling -------------------------------------------------------------------------
@lru_cache(maxsize=8)
def parse_rate(rate: str) -> tuple[int, int]:
    """Read a rate: '600/min' → (600, 60). Raises ValueError for anything else."""
    count, _, period = rate.strip().partition("/")
    if not (count.isascii() and count.isdigit() and int(count) > 0 and period in PERIODS):
        raise ValueError(f"not a rate like 600/min: {rate!r}")
    return int(count), PERIODS[period]


def check_throttle(throttle_id: str, now: float | None = None) -> None:
    """Count one request for `throttle_id`; raise Throttled (429) past the rate."""
    limit, period = parse_rate(getattr(settings, "API_THROTTLE_RATE", DEFAULT_THROTTLE_RATE))
    now = time.time() if now is None else now
    window = int(now // period) * period
    key = f"api-throttle:{throttle_id}:{period}:{window}"
    try:
        cache.add(key, 0, timeout=period + 5)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 5)
            used = 1
    except Exception:  # a broken cache must not take the API down
        logger.exception("API throttling skipped: the cache failed")
        return
    if used > limit:
        raise Throttled(wait=max(1, math.ceil(window + period - now)))


# --- Authentication ---------------------------------------------------------------------
def _admit(request: HttpRequest, principal: Principal) -> Principal:
    """Checks after authentication: throttling, then read-only keys writing."""
    check_throttle(principal.throttle_id)
    if principal.read_only and request.method not in SAFE_METHODS:
        raise ApiAuthError(403, "read_only_key", "This API key is read-only")
    return principal


def invalid_key_limit() -> Limit:
    count, seconds = parse_rate(settings.API_INVALID_KEY_RATE)
    return Limit("api-key-ip", count, seconds)


def authenticate_key(request: HttpRequest, raw_key: str) -> Principal:
    # An address that sent too many unknown keys is refused before any lookup, whatever
    # key it sends now: a right guess must look like the wrong ones.
    limit, ip = invalid_key_limit(), client_ip(request)
    wait = limit.retry_after(ip)
    if wait is not None:
        raise Throttled(wait=wait)
    raw_key = raw_key.strip()
    api_key = None
    if raw_key and len(raw_key) <= MAX_KEY_LENGTH:
        api_key = ApiKey.objects.filter(
            key_hash=hash_api_key(raw_key), revoked_at__isnull=True
        ).first()
    if api_key is None:
        limit.fail(ip)
        logger.warning("API request with an unknown or revoked key from %s", ip)
        refusal_logged(request)
        raise ApiAuthError(401, "invalid_api_key", "Unknown or revoked API key")
    mark_api_key_used(api_key)
    who = Actor.api(api_key.name)
    principal = Principal(
        type=who.type,
        label=who.label,
        read_only=api_key.read_only,
        role=api_key.role,
        throttle_id=f"key:{api_key.pk}",
        api_key=api_key,
    )
    return _admit(request, principal)


class BearerKeyAuth(HttpBearer):
    """`Authorization: Bearer rk_live_…`."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        # Not HttpBearer.__call__: it logs unexpected headers, which may hold a key.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        return authenticate_key(request, token)


class HeaderKeyAuth(APIKeyHeader):
    """`X-API-Key: rk_live_…`."""

    param_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> Principal | None:
        if "X-API-Key" not in request.headers:
            return None
        return self.authenticate(request, request.headers["X-API-Key"])

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        return authenticate_key(request, key or "")


class StaffSessionAuth(APIKeyCookie):
    """A logged-in, active staff user (the portal's session), CSRF-checked on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Principal | None:
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiAuthError(403, "csrf_failed", "CSRF check failed: send X-CSRFToken")
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user = request.user
        if not user.is_authenticated:  # __call__ lets only signed-in staff this far
            return None
        who = Actor.staff(user)
        principal = Principal(
            type=who.type,
            user=who.user,
            label=who.label,
            role=role_of(user),
            throttle_id=f"user:{user.pk}",
        )
        return _admit(request, principal)


api_auth = [BearerKeyAuth(), HeaderKeyAuth(), StaffSessionAuth()]


# --- Roles ------------------------------------------------------------------------------
def _role_refusal(operation_id: str, request: HttpRequest) -> ApiAuthError | None:
    role = getattr(getattr(request, "auth", None), "role", "")
    if allows(role, api_permission(operation_id)):
        return None
    return ApiAuthError(403, "role_refused", f"The {role or 'unknown'} role may not do this")


def _check_role_after_auth(operation: Operation) -> None:
    """Run the role check right after authentication, before the input is read (so a
    refused caller learns nothing about the input rules)."""
    operation_id = operation.view_func.__name__
    run_checks = operation._run_checks

    def checks(request: HttpRequest) -> HttpResponse | None:
        error = run_checks(request)
        if error is not None:
            return error
        refusal = _role_refusal(operation_id, request)
        if refusal is None:
            return None
        response: HttpResponse = operation.api.on_exception(request, refusal)
        return response

    operation._run_checks = checks  # type: ignore[method-assign]


def _operations(api: NinjaAPI) -> Iterator[Operation]:
    """The operations the API runs: ninja binds a copy of each router's operations to the
    API when it is mounted (its bound routers), and those are the ones called."""
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            yield from path_view.operations


def enforce_roles(api: NinjaAPI) -> list[str]:
    """Check the caller's role in every operation of the API; returns their ids."""
    ids = []
    for operation in _operations(api):
        _check_role_after_auth(operation)
        ids.append(operation.view_func.__name__)
    return ids
