"""Who may use the portal: active staff users, each within their role (`portal.roles`).

Every page view uses `StaffRequiredMixin` with the `permission` it needs (or the
`permission_required(perm)` decorator); every unicorn component inherits
`portal.components.base.StaffComponent` and declares a permission per action; the unicorn
message endpoint is wrapped by `portal.unicorn_gate.message`. Anonymous users are sent to
the login page (pages) or get a 401 (the unicorn endpoint); signed-in users without staff
rights, or whose role lacks the permission, get a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from portal.roles import Perm, user_can
from raffles.models import Order
from raffles.selectors import orders_sold_by
from raffles.selectors_sellers import orders_credited_to_user

STAFF_ONLY = _("This page is for staff only.")
SUPERUSER_ONLY = _("Only administrators (superusers) can manage this.")
ROLE_REFUSED = _("Your role does not allow this.")


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


def check_portal_user(
    user: Any, *, superuser: bool = False, permission: Perm | None = Perm.VIEW
) -> None:
    """Raise PermissionDenied unless the user is active staff whose role holds `permission`
    (`None`: an action that declared no permission, owners only)."""
    if not is_portal_user(user):
        raise PermissionDenied(STAFF_ONLY)
    if superuser and not is_portal_admin(user):
        raise PermissionDenied(SUPERUSER_ONLY)
    if not user_can(user, permission):
        raise PermissionDenied(ROLE_REFUSED)


def _guard(
    request: HttpRequest, *, superuser: bool = False, permission: Perm = Perm.VIEW
) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    check_portal_user(request.user, superuser=superuser, permission=permission)
    return None


def permission_required[R: HttpResponseBase](
    permission: Perm,
) -> Callable[[Callable[..., R]], Callable[..., HttpResponse | R]]:
    """Function-view decorator: active staff whose role holds `permission`."""

    def decorate(view: Callable[..., R]) -> Callable[..., HttpResponse | R]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | R:
            refused = _guard(request, permission=permission)
            return refused or view(request, *args, **kwargs)

        return wrapper

    return decorate


def staff_required[R: HttpResponseBase](
    view: Callable[..., R],
) -> Callable[..., HttpResponse | R]:
    """Function-view decorator: active staff (any role)."""
    return permission_required(Perm.VIEW)(view)


class StaffRequiredMixin:
    """Class-view mixin: active staff whose role holds `permission` (and superusers only
    when `superuser_only`)."""

    superuser_only = False
    permission: Perm = Perm.VIEW

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _guard(request, superuser=self.superuser_only, permission=self.permission)
        if refused is not None:
            return refused
        # A mixin: dispatch() is the one of the view class after it in the MRO.
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


def visible_orders(user: Any, orders: QuerySet[Order]) -> QuerySet[Order]:
    """The orders a user may see: every order, or (sellers) the orders they sold and those
    credited to them (their link's buyers, raffles.services.sellers), never another's."""
    if user_can(user, Perm.VIEW_ORDERS):
        return orders
    if user_can(user, Perm.VIEW_OWN_ORDERS):
        sold = orders_sold_by(user.pk).values("pk")
        credited = orders_credited_to_user(user.pk).values("pk")
        return orders.filter(Q(pk__in=sold) | Q(pk__in=credited))
    return orders.none()
