"""Project-level views: health."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database unreachable")
        return False


def _queue_ok() -> bool:
    try:
        from django_q.brokers import get_broker

        return bool(get_broker().ping())
    except Exception:
        logger.exception("healthz: task queue unreachable")
        return False


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database, queue = _database_ok(), _queue_ok()
    ok = database and queue
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "database": database, "task_queue": queue},
        status=200 if ok else 503,
    )
