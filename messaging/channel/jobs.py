"""Enqueue django-q2 tasks, so that a task never sees a row that is not there.

With the ORM broker on the default database (no REDIS_URL), the task row is written inside the
caller's transaction: it commits together with the rows it is about, and the cluster cannot see
it earlier. That is one write instead of two (no second transaction after the commit), and no
window in which the rows committed but the enqueue was lost. With Redis (or in sync mode, or
outside a transaction) the task is pushed after the commit.

Either way a transaction enqueues a given task (same function, same arguments) once: the
per-contact tasks handle everything pending for their contact when they run, so a second one
(a reply queued after the read receipt, in the same transaction) would find nothing to do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django_q.conf import Conf
from django_q.tasks import async_task

from config import q_broker

PROCESS_CONTACT = "messaging.tasks.process_contact"
SEND_CONTACT_OUTBOX = "messaging.tasks.send_contact_outbox"
SWEEP = "messaging.tasks.sweep"


def enqueue(func_path: str, *args: Any) -> None:
    """A task of this module. Its successes are not kept in django-q2's task table: what
    it did is in the rows it changed (messages processed, outbox rows sent), and keeping
    them cost the cluster's monitor a read of the last 250 results for every task. Failures
    are kept, as before."""
    async_task(func_path, *args, save=False)


_held_back: ContextVar[frozenset[tuple[str, tuple[Any, ...]]]] = ContextVar(
    "held_back", default=frozenset()
)


@contextlib.contextmanager
def held_back(func_path: str, *args: Any) -> Iterator[None]:
    """Inside the block, `enqueue_after_commit(func_path, *args)` does nothing: the caller
    runs that work itself once its transactions have committed. If it dies first, the work
    is left pending for the sweeper, as when a task is lost."""
    token = _held_back.set(_held_back.get() | {(func_path, args)})
    try:
        yield
    finally:
        _held_back.reset(token)


def _queue_is_in_the_database() -> bool:
    """The ORM broker on the default database, tasks run by a cluster (not `sync`)."""
    return (
        Conf.ORM == DEFAULT_DB_ALIAS
        and Conf.BROKER_CLASS in (None, "", q_broker.DOTTED_PATH)
        and not Conf.IRON_MQ
        and not isinstance(Conf.SQS, dict)
        and not Conf.SYNC
    )


class _Enqueue:
    """An on-commit callback standing for one task of the current transaction: at commit it
    pushes the task (`push`), or only notes that the task's row was written already."""

    def __init__(self, key: tuple[str, tuple[Any, ...]], *, push: bool) -> None:
        self.key = key
        self.push = push
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        if self.push:
            enqueue(self.key[0], *self.key[1])


def _enqueued_in_this_transaction(key: tuple[str, tuple[Any, ...]]) -> bool:
    """Whether this transaction already enqueued the task, and that still stands.

    Django drops the on-commit callbacks of a savepoint that rolls back, so a callback still
    registered belongs to this transaction's surviving work, or to a savepoint that encloses
    the caller (if that one rolls back later, the caller's work goes with it). A callback that
    ran already (tests run them without committing) no longer counts."""
    registered = getattr(transaction.get_connection(), "run_on_commit", None)
    if not isinstance(registered, list):
        return False  # not the shape we know: enqueue again (harmless)
    return any(
        isinstance(entry, tuple)
        and len(entry) == 3  # Django's (savepoint ids, callback, robust)
        and isinstance(entry[1], _Enqueue)
        and entry[1].key == key
        and not entry[1].ran
        for entry in registered
    )


def enqueue_after_commit(func_path: str, *args: Any) -> None:
    """The task runs once the caller's transaction has committed (see the module docstring).

    After commit: if enqueueing fails (broker down), the row stays pending and the sweeper
    finds it. In the transaction: a failure rolls the caller back, like any failed write."""
    key = (func_path, args)
    if key in _held_back.get():
        return
    in_transaction = not transaction.get_autocommit()
    if in_transaction and _enqueued_in_this_transaction(key):
        return
    if in_transaction and _queue_is_in_the_database():
        enqueue(func_path, *args)
        transaction.on_commit(_Enqueue(key, push=False))
        return
    transaction.on_commit(_Enqueue(key, push=True), robust=True)
