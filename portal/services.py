"""Writes of the portal's own models: API keys (created by a superuser, shown once).

A key looks like `rk_live_ab12cd34_<43 random characters>`. The first part
(`rk_live_ab12cd34`) is its prefix, stored in clear to tell keys apart; the whole key is
stored only as its SHA-256 (the key has 256 bits of entropy, so a plain hash is enough).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import ApiKey
from portal.roles import Role
from raffles import services as raffle_services
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput

logger = logging.getLogger(__name__)

KEY_PREFIX = "rk_live_"
NAME_MAX_LENGTH = 100
# `last_used_at` is written at most this often per key (not on every request).
LAST_USED_RESOLUTION = timedelta(seconds=60)


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_key(
    *, name: str, read_only: bool, created_by: Any = None, role: str = ""
) -> tuple[ApiKey, str]:
    """Create a key; returns it and the clear key, which is never stored nor shown again.
    The key acts with `role` (default: owner for a read-write key, viewer for a read-only
    one); a read-only key never writes, whatever its role."""
    if not role:
        role = Role.VIEWER if read_only else Role.OWNER
    if role not in Role.values:
        raise InvalidInput("Choose a role", field="role")
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            _("The key's name must have 1 to %(count)d characters") % {"count": NAME_MAX_LENGTH},
            field="name",
        )
    for _attempt in range(5):
        prefix = KEY_PREFIX + secrets.token_hex(4)
        raw_key = f"{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    name=name,
                    prefix=prefix,
                    key_hash=hash_api_key(raw_key),
                    read_only=bool(read_only),
                    role=role,
                    created_by=created_by if getattr(created_by, "pk", None) else None,
                )
                raffle_services.log_event(
                    kind=EventKind.API_KEY_CREATED,
                    by=created_by,
                    key_name=name,
                    key_prefix=prefix,
                    read_only=api_key.read_only,
                    role=role,
                )
        except IntegrityError:  # prefix collision: try another
            continue
        logger.info("API key %s (%s) created", prefix, name)
        return api_key, raw_key
    raise RuntimeError("could not allocate a unique API key prefix")


def revoke_api_key(*, api_key: ApiKey, by: Any = None) -> ApiKey:
    """Revoke a key at once (idempotent). Requests with it get 401 from then on."""
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by if getattr(by, "pk", None) else None
        )
        api_key = ApiKey.objects.get(pk=api_key.pk)
        if revoked:
            raffle_services.log_event(
                kind=EventKind.API_KEY_REVOKED,
                by=by,
                key_name=api_key.name,
                key_prefix=api_key.prefix,
            )
            logger.info("API key %s (%s) revoked", api_key.prefix, api_key.name)
    return api_key


def mark_api_key_used(api_key: ApiKey, now: datetime | None = None) -> None:
    """Record that the key was used; at most one write per key and LAST_USED_RESOLUTION."""
    now = now or timezone.now()
    if api_key.last_used_at and api_key.last_used_at > now - LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION),
        pk=api_key.pk,
    ).update(last_used_at=now)
    api_key.last_used_at = now
