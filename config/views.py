"""Project-level views: health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from config import health


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Small JSON with each check (config/health.py): 200 when all pass, else 503 with reasons.
    Exempt from the https redirect (SECURE_REDIRECT_EXEMPT), so plain-http probes get it."""
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)
