"""A raffle's public version: changes when any of its orders changes (a sale, a hold, a
release), when a hold runs out, and when the raffle itself is edited. The board feed's ETag,
the cached page and the cached blocks are keyed by it.

Computed from the audit log (the same fingerprint the portal's live grid polls) and kept in
the shared cache; the domain's signals delete it after each change commits. Holds that run out
send no signal, so the cached value also expires after `VERSION_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from raffles.models import OrderEvent, Raffle
from raffles.public.memo import Memo
from raffles.selectors import lapsed_holds

VERSION_SECONDS = 5  # shared cache: how stale a run-out hold may be shown
LOCAL_SECONDS = 1.0  # per process: how long another process's sale may go unseen
_local = Memo(LOCAL_SECONDS)


@dataclass(frozen=True)
class Version:
    tag: str  # opaque; equal tags mean an equal board
    changed_at: datetime  # for Last-Modified


def _key(raffle_id: int) -> str:
    return f"public:version:{raffle_id}"


def change_fingerprint(raffle_id: int, now: datetime | None = None) -> tuple[int, int]:
    """(last audit event id, holds past their time): two index look-ups, never a scan."""
    now = now or timezone.now()
    last = (
        OrderEvent.objects.filter(raffle_id=raffle_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return int(last or 0), lapsed_holds(raffle_id, now).count()


def compute(raffle: Raffle) -> Version:
    last, lapsed = change_fingerprint(raffle.pk)
    event_at = (
        OrderEvent.objects.filter(pk=last).values_list("created_at", flat=True).first()
        if last
        else None
    )
    changed_at = max(d for d in (event_at, raffle.updated_at) if d is not None)
    stamp = int(raffle.updated_at.timestamp())
    return Version(tag=f"{last}.{lapsed}.{stamp}.{raffle.status}", changed_at=changed_at)


def current(raffle: Raffle) -> Version:
    """The raffle's version, from this process's memo, else the shared cache, else the
    database (then stored in both)."""
    key = _key(raffle.pk)
    found: Version | None = _local.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = compute(raffle)
            cache.set(key, found, VERSION_SECONDS)
        _local.set(key, found)
    return found


def invalidate(raffle_id: int) -> None:
    """Forget the version now and again once the current transaction commits (a visitor
    in between may have cached the version from before the change)."""

    def forget() -> None:
        cache.delete(_key(raffle_id))
        _local.forget(_key(raffle_id))

    forget()
    transaction.on_commit(forget)
