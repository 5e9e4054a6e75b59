"""The payment providers' webhook: verify, store, answer; processing runs as a task."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from raffles.payments.provider import PROVIDERS, get_provider
from raffles.services import record_notification

logger = logging.getLogger(__name__)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@login_not_required
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    """200 once a verified notification is stored (or was stored before); 400 for a
    notification without what it needs; 401 for a bad signature. Never 500."""
    if provider not in PROVIDERS:
        return _error(404, f"unknown payment provider {provider!r}")
    try:
        client = get_provider(provider)
        headers = dict(request.headers.items())
        query = request.GET.dict()
        body = request.body
        if not client.verify_notification(headers, query, body):
            return _error(401, "invalid or missing x-signature")
        try:
            notification = client.parse_notification(headers, query, body)
        except ValueError as exc:
            return _error(400, str(exc))
        if notification is None:
            return JsonResponse({"ignored": True})
        with transaction.atomic():
            row, created = record_notification(provider, notification, body)
            if created or row.processed_at is None:
                transaction.on_commit(
                    lambda: async_task(
                        "raffles.tasks.process_payment_notification_task",
                        row.pk,
                        task_name=f"payment-{provider}-{row.pk}",
                    ),
                    robust=True,  # stored is what the provider needs to hear; a failed
                )  # processing is tried again by process_waiting_notifications_task
    except Exception:
        logger.exception("payment webhook failed for %s", provider)
        return _error(503, "notification not stored; please retry")
    return JsonResponse({"received": True, "repeated": not created})
