"""Pacing: never more than WHATSAPP_MESSAGES_PER_SECOND requests per phone number.

A shared schedule in the database (one `SendRateSlot` row per phone number id): each send
reserves the next free slot, 1/rate seconds after the previous one, under a row lock
(`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), then
sleeps until its slot. Correct across processes and hosts that share the database.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.models import SendRateSlot


def reserve_slot(key: str, per_second: int | None = None) -> datetime:
    """Reserve the next send slot for `key`; returns when the caller may send."""
    rate = per_second or settings.WHATSAPP_MESSAGES_PER_SECOND
    interval = timedelta(seconds=1 / rate)
    with transaction.atomic():
        row = SendRateSlot.objects.select_for_update().filter(key=key).first()
        now = timezone.now()
        if row is None:
            try:
                with transaction.atomic():
                    SendRateSlot.objects.create(key=key, next_at=now + interval)
                return now
            except IntegrityError:  # created meanwhile by another sender
                row = SendRateSlot.objects.select_for_update().get(key=key)
                now = timezone.now()
        slot = max(row.next_at, now)
        row.next_at = slot + interval
        row.save(update_fields=["next_at"])
    return slot


def wait_until(moment: datetime) -> None:
    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)
