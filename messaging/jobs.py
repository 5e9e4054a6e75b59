"""Enqueue django-q2 tasks. Always after commit, so a task never sees a row that is not there."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_q.tasks import async_task

PROCESS_CONTACT = "messaging.tasks.process_contact"
SEND_CONTACT_OUTBOX = "messaging.tasks.send_contact_outbox"
SWEEP = "messaging.tasks.sweep"


def enqueue(func_path: str, *args: Any, **kwargs: Any) -> None:
    async_task(func_path, *args, **kwargs)


def enqueue_after_commit(func_path: str, *args: Any) -> None:
    """If enqueueing fails (broker down), the row stays pending and the sweeper finds it."""
    transaction.on_commit(lambda: enqueue(func_path, *args), robust=True)
