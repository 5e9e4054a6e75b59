"""Pacing: never more than WHATSAPP_MESSAGES_PER_SECOND requests per phone number.

A shared schedule in the database (one `SendRateSlot` row per phone number id): each send
reserves the next free slot, 1/rate seconds after the previous one, then sleeps until its slot.
A reservation reads the row and moves it on with a conditional UPDATE that only succeeds if
nobody moved it meanwhile (compare and set: two statements, no transaction, no lock held
between them); a sender that lost the race reads again. After many lost races in a row it
takes the row lock instead (`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers). Correct across processes and hosts that share the database.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from messaging.channel import clock, statements
from messaging.models import SendRateSlot

OPTIMISTIC_TRIES = 20  # lost races in a row before a sender takes the row lock


def reserve_slot(key: str, per_second: int | None = None) -> datetime:
    """Reserve the next send slot for `key`; returns when the caller may send."""
    return reserve_slots(key, 1, per_second)[0]


def reserve_slots(key: str, count: int, per_second: int | None = None) -> list[datetime]:
    """Reserve the next `count` consecutive slots for `key` at once (a sender
    with several messages for one buyer reserves them together). Slots left unused when a
    sender stops early are simply skipped: the rate only ever comes out lower."""
    rate = per_second or settings.WHATSAPP_MESSAGES_PER_SECOND
    interval = timedelta(seconds=1 / rate)
    for _ in range(OPTIMISTIC_TRIES):
        seen = statements.read_slot(key)
        now = clock.now()
        if seen is None:
            try:
                with transaction.atomic():
                    SendRateSlot.objects.create(key=key, next_at=now + interval * count)
            except IntegrityError:  # created meanwhile by another sender
                continue
            return [now + interval * i for i in range(count)]
        pk, next_at = seen
        first = max(next_at, now)
        if statements.move_slot(pk, next_at, first + interval * count):
            return [first + interval * i for i in range(count)]
    return _reserve_locked(key, count, interval)


def _reserve_locked(key: str, count: int, interval: timedelta) -> list[datetime]:
    with transaction.atomic():
        row = SendRateSlot.objects.select_for_update().filter(key=key).first()
        now = clock.now()
        if row is None:
            try:
                with transaction.atomic():
                    SendRateSlot.objects.create(key=key, next_at=now + interval * count)
                return [now + interval * i for i in range(count)]
            except IntegrityError:  # created meanwhile by another sender
                row = SendRateSlot.objects.select_for_update().get(key=key)
                now = clock.now()
        first = max(row.next_at, now)
        SendRateSlot.objects.filter(pk=row.pk).update(next_at=first + interval * count)
    return [first + interval * i for i in range(count)]


def wait_until(moment: datetime) -> None:
    delay = (moment - clock.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)
