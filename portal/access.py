"""Who may use the portal: active staff users. Superusers also manage accounts and API keys.

Every page view uses `StaffRequiredMixin` (or `staff_required`); every unicorn component
inherits `portal.components.base.StaffComponent`; the unicorn message endpoint is wrapped by
`portal.unicorn_gate.message`. Anonymous users are sent to the login page (pages) or get a
401 (the unicorn endpoint); signed-in users without staff rights get a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy

STAFF_ONLY = gettext_lazy("This page is for staff only.")
SUPERUSER_ONLY = gettext_lazy("Only administrators (superusers) can manage this.")


def is_portal_user(user: Any) -> bool:
    """An active, signed-in staff user."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    )


def is_portal_admin(user: Any) -> bool:
    return is_portal_user(user) and bool(getattr(user, "is_superuser", False))


def check_portal_user(user: Any, *, superuser: bool = False) -> None:
    """Raise PermissionDenied unless the user may do this."""
    if not is_portal_user(user):
        raise PermissionDenied(STAFF_ONLY)
    if superuser and not is_portal_admin(user):
        raise PermissionDenied(SUPERUSER_ONLY)


def _guard(request: HttpRequest, *, superuser: bool) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    check_portal_user(request.user, superuser=superuser)
    return None


def staff_required[R: HttpResponseBase](
    view: Callable[..., R],
) -> Callable[..., HttpResponse | R]:
    """Function-view decorator: active staff only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | R:
        return _guard(request, superuser=False) or view(request, *args, **kwargs)

    return wrapper


class StaffRequiredMixin:
    """Class-view mixin: active staff only (superusers too when `superuser_only`)."""

    superuser_only = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _guard(request, superuser=self.superuser_only)
        if refused is not None:
            return refused
        # A mixin: dispatch() is the one of the view class after it in the MRO.
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


class SuperuserRequiredMixin(StaffRequiredMixin):
    superuser_only = True
