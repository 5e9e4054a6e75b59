from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from config.api import api, unknown_path
from config.views import healthz

urlpatterns = [
    path("", login_not_required(RedirectView.as_view(url="/portal/", permanent=False))),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_path),  # JSON 404 for anything the API lacks
    path("whatsapp/", include("messaging.urls")),
    path("portal/", include("portal.urls")),
    path("unicorn/", include("portal.unicorn_gate")),  # staff-only django-unicorn endpoint
    path("", include("raffles.urls")),
    path("", include("raffles.public.urls")),
]
