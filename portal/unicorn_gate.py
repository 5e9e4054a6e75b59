"""The django-unicorn message endpoint, for active staff only.

django-unicorn marks its endpoint `login_not_required` and leaves access control to each
component. The portal has only staff components, so the endpoint itself refuses anonymous
users (401) and signed-in users without staff rights (403) before any component is loaded.
CSRF protection stays on (the wrapped view is `csrf_protect`).

Mounted at /unicorn/ by config/urls.py, under the `django_unicorn` namespace that
`{% unicorn_scripts %}` resolves.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django_unicorn import views as unicorn_views
from django_unicorn.errors import ComponentClassLoadError, ComponentModuleLoadError

from portal.access import STAFF_ONLY, is_portal_user


@login_not_required  # answer 401/403 as JSON instead of redirecting a fetch() to the login page
def message(request: HttpRequest, component_name: str | None = None) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"error": "Sign in again to continue."}, status=401)
    if not is_portal_user(user):
        return JsonResponse({"error": STAFF_ONLY}, status=403)
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
