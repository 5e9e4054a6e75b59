"""The ORM broker with statements written once (config.q_broker), beside django-q2's own:
the same rows queued, claimed, given back after `retry` and deleted."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

from config import q_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker() -> q_broker.OrmBroker:
    return q_broker.OrmBroker(list_key="bench-queue")


def test_the_settings_choose_it_when_tasks_queue_in_the_database(settings):
    from config import settings as production

    if production.REDIS_URL:
        pytest.skip("Redis is the broker here")
    assert production.Q_CLUSTER["broker_class"] == q_broker.DOTTED_PATH
    assert production.Q_CLUSTER["orm"] == "default"


def test_a_queued_task_is_claimed_once_then_deleted(broker, monkeypatch):
    monkeypatch.setattr(Conf, "POLL", 0)
    first = broker.enqueue("payload-1")
    second = broker.enqueue("payload-2")
    assert OrmQ.objects.get(pk=first).key == "bench-queue"
    # django-q2's own broker sees the rows as its own.
    assert ORM(list_key="bench-queue").queue_size() == 2
    claimed = broker.dequeue()
    assert sorted(claimed) == [(first, "payload-1"), (second, "payload-2")]
    assert broker.dequeue() is None  # both locked for `retry` seconds
    assert ORM(list_key="bench-queue").lock_size() == 2
    broker.acknowledge(first)
    broker.fail(second)
    assert not OrmQ.objects.exists()


def test_a_task_whose_cluster_died_comes_back_after_retry(broker, monkeypatch):
    monkeypatch.setattr(Conf, "POLL", 0)
    task = broker.enqueue("payload")
    assert broker.dequeue() == [(task, "payload")]
    lock = OrmQ.objects.get(pk=task).lock
    assert lock > timezone.now() + timedelta(seconds=Conf.RETRY - 5)
    OrmQ.objects.filter(pk=task).update(lock=timezone.now() - timedelta(seconds=1))
    assert broker.dequeue() == [(task, "payload")]


def test_a_task_another_cluster_claimed_meanwhile_is_not_run_twice(broker, monkeypatch):
    """Between reading the due rows and claiming one, another cluster moved its lock."""
    monkeypatch.setattr(Conf, "POLL", 0)
    mine, theirs = broker.enqueue("mine"), broker.enqueue("theirs")
    sql = q_broker._sql()
    execute = q_broker.connection.cursor

    class Racing:
        """A cursor whose first claim finds the row taken by django-q2's own broker."""

        def __init__(self) -> None:
            self.cursor = execute()
            self.raced = False

        def __enter__(self):
            self.cursor.__enter__()
            return self

        def __exit__(self, *exc):
            return self.cursor.__exit__(*exc)

        def execute(self, statement, params):
            if statement == sql["claim"] and params[1] == theirs and not self.raced:
                self.raced = True
                OrmQ.objects.filter(pk=theirs).update(lock=timezone.now() + timedelta(hours=1))
            return self.cursor.execute(statement, params)

        def __getattr__(self, name):
            return getattr(self.cursor, name)

    monkeypatch.setattr(q_broker.connection, "cursor", Racing)
    assert broker.dequeue() == [(mine, "mine")]


def test_an_empty_queue_waits_for_the_poll_interval(broker, monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(q_broker, "sleep", waited.append)
    assert broker.dequeue() is None
    assert waited == [Conf.POLL]


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_clusters_dequeuing_at_once_run_each_task_once(monkeypatch):
    """Four dequeuers (real threads, each with its own connection) race over the same due
    rows on the test database (SQLite or PostgreSQL): every task is claimed by exactly one."""
    monkeypatch.setattr(Conf, "POLL", 0)
    monkeypatch.setattr(Conf, "BULK", 5)
    queued = {q_broker.OrmBroker(list_key="race").enqueue(f"task-{n}") for n in range(200)}
    barrier = threading.Barrier(4)
    claimed: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def dequeue() -> None:
        broker = q_broker.OrmBroker(list_key="race")
        try:
            barrier.wait(timeout=10)
            while (tasks := broker.dequeue()) is not None:
                with lock:
                    claimed.extend(pk for pk, _payload in tasks)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dequeue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert sorted(claimed) == sorted(queued)  # each once: none twice, none left
