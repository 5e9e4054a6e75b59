"""Forms of the portal's plain (non-unicorn) pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class StaffAuthenticationForm(AuthenticationForm):
    """Django's login form that only lets active staff users in."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": "This account has no access to the staff portal.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")
