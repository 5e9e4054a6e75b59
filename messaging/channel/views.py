"""The webhook Meta calls: GET for the verification handshake, POST for deliveries.

Thin on purpose: check the signature, keep the raw body, hand the JSON to `inbound.ingest`,
answer 200. The conversation work runs later in tasks.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from messaging.channel import forgeries, inbound
from messaging.channel.signature import HEADER, signature_is_valid
from messaging.channel.webhook_parsing import clean_json
from messaging.models import WebhookDelivery

logger = logging.getLogger(__name__)
INVALID = WebhookDelivery.Status.INVALID
FAILED = WebhookDelivery.Status.FAILED


def _refused(request: HttpRequest, text: str, status: int) -> HttpResponse:
    """A refusal this module logged a line for: the site's log filter (settings.LOGGING,
    `refusal_logged` on the request) drops Django's generic second line."""
    setattr(request, "refusal_logged", True)  # noqa: B010 - the filter's documented marker
    return HttpResponse(text, status=status, content_type="text/plain")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    return _receive(request)


def _verify(request: HttpRequest) -> HttpResponse:
    expected = settings.WHATSAPP_VERIFY_TOKEN
    token = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    logger.warning("whatsapp webhook verification refused")
    return _refused(request, "Forbidden", 403)


def _receive(request: HttpRequest) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        logger.warning(
            "whatsapp webhook body too large (%s bytes)", request.META.get("CONTENT_LENGTH")
        )
        return _refused(request, "Payload too large", 413)
    if not signature_is_valid(body, request.headers.get(HEADER)):
        # A forgery costs a log line and a counter, never a row (nor SQLite's write lock).
        logger.warning("whatsapp webhook with a missing or wrong signature (%d bytes)", len(body))
        forgeries.count_forgery()
        return _refused(request, "Forbidden", 403)
    try:
        data = clean_json(json.loads(body, parse_constant=_reject_constant))
    except (ValueError, RecursionError) as exc:
        delivery = inbound.record_delivery(
            body, signature_ok=True, status=INVALID, error=f"Invalid JSON: {exc}"
        )
        logger.warning("whatsapp webhook delivery %s is not valid JSON: %s", delivery.pk, exc)
        return _refused(request, "Invalid JSON", 400)
    if not isinstance(data, dict):
        delivery = inbound.record_delivery(
            body, signature_ok=True, status=INVALID, error="JSON is not an object"
        )
        logger.warning("whatsapp webhook delivery %s is JSON but not an object", delivery.pk)
        return _refused(request, "Expected a JSON object", 400)
    try:  # the raw body, what it carries and the tasks to run, in one commit
        delivery, result = inbound.store_delivery(body, data)
    except Exception as exc:
        # Nothing of it was stored: keep the raw body apart, and ask Meta to send it again.
        logger.exception("whatsapp webhook delivery could not be stored")
        with contextlib.suppress(DatabaseError):
            inbound.record_delivery(body, signature_ok=True, status=FAILED, error=repr(exc))
        return HttpResponse("Try again later", status=503, content_type="text/plain")
    logger.info(
        "whatsapp webhook delivery %s: %d new messages, %d new statuses, %d new events",
        delivery.pk,
        result.new_messages,
        result.new_statuses,
        result.new_events,
    )
    return HttpResponse("OK", content_type="text/plain")
