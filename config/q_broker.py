"""django-q2's ORM broker, with its per-task statements written once.

django-q2's own ORM broker builds and compiles an ORM statement for each step of every task:
the INSERT that queues it (in the web request), the claim and the DELETE that acknowledges it
(in the cluster). A task per message made that a visible part of each message's cost. This
broker runs the same statements as SQL built once from `OrmQ`'s table and columns, with the
same meaning: a task is claimed by moving its `lock` forward only if nobody moved it since it
was read (so two clusters never run it both), a claimed task comes back after `retry`
seconds if its cluster dies, and an acknowledged one is deleted. Everything else (queue size,
purge, the admin's views) is django-q2's.

Selected with `Q_CLUSTER["broker_class"]` when the ORM broker is in use (config.settings).
"""

from __future__ import annotations

import functools
from time import sleep

from django.db import connection
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

from config.db.rows import Inserts, adapt, aware, model_sql

DOTTED_PATH = "config.q_broker.OrmBroker"  # the value of Q_CLUSTER["broker_class"]
QUEUED = Inserts(OrmQ)


@functools.cache
def _sql() -> dict[str, str]:
    text = {
        "due": "SELECT {id}, {payload}, {lock} FROM {table} WHERE {key} = %s AND {lock} < %s"
        " LIMIT %s",
        "claim": "UPDATE {table} SET {lock} = %s WHERE {id} = %s AND {lock} = %s",
        "delete": "DELETE FROM {table} WHERE {id} = %s",
    }
    return {name: model_sql(OrmQ, sql) for name, sql in text.items()}


class OrmBroker(ORM):  # type: ignore[misc]
    def __init__(self, list_key: str | None = None) -> None:
        if Conf.ORM != "default":
            raise ValueError("config.q_broker.OrmBroker runs on the default database")
        super().__init__(list_key=list_key)  # django-q2's: the cluster's name by default

    def _ready(self) -> None:
        self.get_connection()  # django-q2 closes stale connections here, outside transactions

    def enqueue(self, task: str) -> int:
        self._ready()
        package = OrmQ(key=self.list_key, payload=task, lock=timezone.now())
        QUEUED.insert(package)
        return int(package.pk)

    def dequeue(self) -> list[tuple[int, str]] | None:
        self._ready()
        with connection.cursor() as cursor:
            cursor.execute(_sql()["due"], (self.list_key, adapt(timezone.now()), Conf.BULK))
            due = cursor.fetchall()
            if not due:
                sleep(Conf.POLL)  # an empty queue: spare the CPU
                return None
            claimed: list[tuple[int, str]] = []
            for pk, payload, lock in due:
                until = adapt(self.timeout(None))
                cursor.execute(_sql()["claim"], (until, pk, adapt(aware(lock))))
                if cursor.rowcount == 1:
                    claimed.append((int(pk), str(payload)))
                # else another cluster took it first
        return claimed

    def delete(self, task_id: int) -> None:
        self._ready()
        with connection.cursor() as cursor:
            cursor.execute(_sql()["delete"], (task_id,))
