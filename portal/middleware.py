"""The signed-in staff member's own language and time zone, for every portal page and
unicorn message (after `AuthenticationMiddleware`; `LocaleMiddleware` has already picked the
browser's language, which stays when the staff member chose none)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from portal.models import StaffPreferences
from portal.throttle import client_ip
from raffles.services.origin import Origin, acting_from

SESSION_KEY = "portal_preferences"


def remember(request: HttpRequest, prefs: StaffPreferences | None) -> list[str]:
    """Keep the staff member's choice in the session (one query per sign-in, not per page)."""
    value = [prefs.language, prefs.time_zone] if prefs else ["", ""]
    request.session[SESSION_KEY] = value
    return value


def _chosen(request: HttpRequest) -> list[str]:
    value = request.session.get(SESSION_KEY)
    if isinstance(value, list) and len(value) == 2:
        return [str(v) for v in value]
    return remember(
        request, StaffPreferences.objects.filter(user_id=int(request.user.pk or 0)).first()
    )


class StaffPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return self.get_response(request)
        language, zone = _chosen(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        activated = False
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
                activated = True
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass  # a zone removed from the system's database: the organizer's applies
        try:
            return self.get_response(request)
        finally:
            if activated:
                timezone.deactivate()


class RequestOriginMiddleware:
    """The request's address and browser, for the audit rows its staff or API actions write
    (`raffles.services.origin`): one place, so no call site passes them on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = Origin(ip=client_ip(request), user_agent=request.headers.get("User-Agent", ""))
        with acting_from(origin):
            return self.get_response(request)
