"""The django-unicorn message endpoint, for active staff within their role.

django-unicorn marks its endpoint `login_not_required` and leaves access control to each
component. The portal has only staff components, so the endpoint itself refuses anonymous
users (401), signed-in users without staff rights (403), and, before any component is
loaded, a message whose component or any of whose actions the user's role may not use (403):
each component declares the permission to show it and one per action (`@requires`), see
`portal.components.base`. The components check again themselves. CSRF protection stays on
(the wrapped view is `csrf_protect`).

Mounted at /unicorn/ by config/urls.py, under the `django_unicorn` namespace that
`{% unicorn_scripts %}` resolves.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django_unicorn import views as unicorn_views
from django_unicorn.call_method_parser import parse_call_method_name, parse_kwarg
from django_unicorn.errors import ComponentClassLoadError, ComponentModuleLoadError

from portal.access import ROLE_REFUSED, STAFF_ONLY, is_portal_user
from portal.components.base import StaffComponent
from portal.roles import Perm, user_can

COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,60}$")


def component_class(name: str) -> type[StaffComponent] | None:
    """The portal component called `name` (`ticket-grid` → TicketGridView), or None."""
    if not COMPONENT_NAME.fullmatch(name):
        return None
    module_name = f"portal.components.{name.replace('-', '_')}"
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    for value in vars(module).values():
        if (
            inspect.isclass(value)
            and issubclass(value, StaffComponent)
            and value.__module__ == module_name
        ):
            return value
    return None


def _is_setter(call: str) -> bool:
    try:
        parse_kwarg(call, raise_if_unparseable=True)
    except Exception:  # not `name=value`: a method call
        return False
    return True


def call_permission(cls: type[StaffComponent], call: str) -> Perm | None:
    """What one `callMethod` of a message needs: setters and the special `$` actions need
    what showing the component needs; a method its declared permission (None: owners)."""
    if call.startswith("$parent"):
        return None
    if call.startswith("$"):
        return cls._permission
    if "=" in call and _is_setter(call):
        return cls._permission
    try:
        method_name = parse_call_method_name(call)[0]
    except Exception:
        return None
    return cls._action_permission(method_name)


def message_permissions(cls: type[StaffComponent], body: Any) -> list[Perm | None]:
    """Every permission a unicorn message needs."""
    needed: list[Perm | None] = [cls._permission]
    queue = body.get("actionQueue") if isinstance(body, dict) else None
    for action in queue if isinstance(queue, list) else []:
        if isinstance(action, dict) and action.get("type") == "callMethod":
            payload = action.get("payload")
            name = payload.get("name", "") if isinstance(payload, dict) else ""
            needed.append(call_permission(cls, str(name)))
    return needed


def _role_allows(request: HttpRequest, component_name: str | None) -> bool:
    cls = component_class(component_name or "")
    if cls is None:
        return True  # django-unicorn answers 404 for it below
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    return all(user_can(request.user, perm) for perm in message_permissions(cls, body))


@login_not_required  # answer 401/403 as JSON instead of redirecting a fetch() to the login page
def message(request: HttpRequest, component_name: str | None = None) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"error": "Sign in again to continue."}, status=401)
    if not is_portal_user(user):
        return JsonResponse({"error": STAFF_ONLY}, status=403)
    if not _role_allows(request, component_name):
        return JsonResponse({"error": str(ROLE_REFUSED)}, status=403)
    try:
        # django_unicorn is untyped: its view answers an HttpResponse.
        response: HttpResponse = unicorn_views.message(request, component_name=component_name)
        return response
    except (ComponentModuleLoadError, ComponentClassLoadError):
        return JsonResponse({"error": "No such component."}, status=404)


app_name = "django_unicorn"
urlpatterns = [
    re_path(r"message/(?P<component_name>[\w/\.-]+)", message, name="message"),
    path("message", message, name="message"),  # only to build the URL in scripts.html
]
