"""Enqueueing: once per transaction, never for work that rolled back, with the rows it is about."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from messaging.channel import jobs

pytestmark = pytest.mark.django_db

SEND = jobs.SEND_CONTACT_OUTBOX


def keys(callbacks) -> list[tuple]:
    return [callback.key for callback in callbacks if isinstance(callback, jobs._Enqueue)]


def test_a_transaction_enqueues_each_task_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        jobs.enqueue_after_commit(SEND, 1)
        jobs.enqueue_after_commit(SEND, 1)  # a reply after the read receipt: same task
        jobs.enqueue_after_commit(SEND, 2)
        jobs.enqueue_after_commit(jobs.PROCESS_CONTACT, 1)
    assert keys(callbacks) == [(SEND, (1,)), (SEND, (2,)), (jobs.PROCESS_CONTACT, (1,))]


def test_an_enqueue_rolled_back_with_its_savepoint_is_made_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 - the raise rolls back
            jobs.enqueue_after_commit(SEND, 1)
            raise RuntimeError("rolled back")
        jobs.enqueue_after_commit(SEND, 1)
    assert keys(callbacks) == [(SEND, (1,))]


def test_an_enqueue_in_a_released_savepoint_counts(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with transaction.atomic():
            jobs.enqueue_after_commit(SEND, 1)
        jobs.enqueue_after_commit(SEND, 1)
    assert keys(callbacks) == [(SEND, (1,))]


def test_a_task_that_ran_does_not_hide_the_next_one(django_capture_on_commit_callbacks):
    """Tests run on-commit callbacks without committing: what ran no longer counts."""
    with django_capture_on_commit_callbacks(execute=True) as first:
        jobs.enqueue_after_commit(SEND, 99_999)  # nothing to send: the task is a no-op
    with django_capture_on_commit_callbacks() as second:
        jobs.enqueue_after_commit(SEND, 99_999)
    assert keys(first) == keys(second) == [(SEND, (99_999,))]


def test_held_back_work_is_not_enqueued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, jobs.held_back(SEND, 1):
        jobs.enqueue_after_commit(SEND, 1)
        jobs.enqueue_after_commit(SEND, 2)
    assert keys(callbacks) == [(SEND, (2,))]
    with django_capture_on_commit_callbacks() as callbacks:
        jobs.enqueue_after_commit(SEND, 1)
    assert keys(callbacks) == [(SEND, (1,))]


@pytest.fixture
def orm_queue(monkeypatch):
    """A cluster on the ORM broker, as in production without Redis (tests run tasks `sync`)."""
    if Conf.ORM != "default":
        pytest.skip("the task queue is not the ORM broker (REDIS_URL is set)")
    monkeypatch.setattr(Conf, "SYNC", False)


def task_rows() -> list[tuple[str, tuple, dict]]:
    rows = []
    for row in OrmQ.objects.all():
        task = SignedPackage.loads(row.payload)
        rows.append((task["func"], task["args"], {"save": task.get("save")}))
    return rows


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("orm_queue")
def test_with_the_orm_broker_the_task_row_commits_with_the_transaction():
    with transaction.atomic():
        jobs.enqueue_after_commit(SEND, 7)
        jobs.enqueue_after_commit(SEND, 7)
        assert len(task_rows()) == 1  # written now, in this transaction: invisible until commit
    assert task_rows() == [(SEND, (7,), {"save": False})]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("orm_queue")
def test_with_the_orm_broker_a_rollback_takes_the_task_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 - the raise rolls back
        jobs.enqueue_after_commit(SEND, 7)
        raise RuntimeError("the change that needed sending failed")
    assert task_rows() == []
