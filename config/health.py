"""The checks behind GET /healthz: each one answers (ok, reason if not ok).

- database: a `SELECT 1`.
- task_queue: the django-q2 broker answers a ping.
- task_cluster: a django-q2 cluster wrote its stats to the broker recently (its sentinel
  does so every half second, with a 3-second expiry); skipped when tasks run inline (sync).
- outbox: no queued outbound message has been due for longer than
  HEALTHZ_OUTBOX_MAX_WAIT_SECONDS (rows waiting for a later retry are not stuck).
- inbox: no inbound message has waited unprocessed longer than HEALTHZ_INBOX_MAX_WAIT_SECONDS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from messaging.channel import forgeries, health

logger = logging.getLogger(__name__)

Result = tuple[bool, str]


def database() -> Result:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        ok = cursor.fetchone() == (1,)
    return ok, "" if ok else _("the database did not answer SELECT 1")


def task_queue() -> Result:
    from django_q.brokers import get_broker

    ok = bool(get_broker().ping())
    return ok, "" if ok else _("the task queue's broker did not answer")


def task_cluster() -> Result:
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.status import Stat

    if Conf.SYNC:
        return True, ""
    running = [s for s in Stat.get_all(get_broker()) if s.status != Conf.STOPPED]
    if running:
        return True, ""
    return False, _("no task cluster has been seen in the last few seconds (is qcluster running?)")


def outbox() -> Result:
    wait = health.oldest_due_outbound_wait()
    limit = settings.HEALTHZ_OUTBOX_MAX_WAIT_SECONDS
    if wait is None or wait.total_seconds() <= limit:
        return True, ""
    reason = _("the oldest due outbound message has waited %(seconds)d s (limit %(limit)d s)")
    return False, reason % {"seconds": wait.total_seconds(), "limit": limit}


def inbox() -> Result:
    wait = health.oldest_unprocessed_inbound_wait()
    limit = settings.HEALTHZ_INBOX_MAX_WAIT_SECONDS
    if wait is None or wait.total_seconds() <= limit:
        return True, ""
    reason = _(
        "the oldest unprocessed inbound message has waited %(seconds)d s (limit %(limit)d s)"
    )
    return False, reason % {"seconds": wait.total_seconds(), "limit": limit}


CHECKS: dict[str, Callable[[], Result]] = {
    "database": database,
    "task_queue": task_queue,
    "task_cluster": task_cluster,
    "outbox": outbox,
    "inbox": inbox,
}
NEEDS_DATABASE = frozenset({"outbox", "inbox"})


def report() -> tuple[bool, dict[str, Any]]:
    """(healthy, the JSON body): every check's result, the reasons of those that failed, and
    the count of forged webhook posts (information only, never unhealthy)."""
    body: dict[str, Any] = {}
    reasons: list[str] = []
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and body.get("database") is False:
            ok, reason = False, _("the database is unreachable")
        else:
            try:
                ok, reason = check()
            except Exception as exc:
                logger.exception("healthz: the %s check failed", name)
                ok, reason = False, type(exc).__name__
        body[name] = ok
        if not ok:
            reasons.append(f"{name}: {reason}")
    healthy = not reasons
    body = {"status": "ok" if healthy else "unavailable", **body, "reasons": reasons}
    body["forged_webhooks"] = forgeries.total()
    return healthy, body
