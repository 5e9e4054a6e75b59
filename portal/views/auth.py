"""The portal's sign-in page: Django's LoginView with the throttled form (portal/forms.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from portal.forms import StaffAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = StaffAuthenticationForm

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429  # Too Many Requests, with the form's message
        return response
