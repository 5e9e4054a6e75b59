"""Superusers manage staff accounts: create, disable, grant or remove staff and superuser
rights, set a new password. The writes are portal.accounts; here only input and output."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal import accounts
from portal.components.base import StaffComponent
from raffles.exceptions import InvalidInput

User = get_user_model()


class StaffAccountsView(StaffComponent):
    _superuser_only = True

    username: str = ""
    email: str = ""
    password: str = ""
    superuser: bool = False
    password_user: int = 0
    new_password: str = ""
    notice: str = ""

    class Meta:
        javascript_exclude = ("password", "new_password")  # never echoed back to the page

    def _user(self, user_id: int) -> Any:
        return User.objects.get(pk=int(user_id))

    def create(self) -> None:
        self.notice = ""
        try:
            user = accounts.create_staff_user(
                username=self.username,
                password=self.password,
                email=self.email,
                superuser=self.superuser,
                by=self.request.user,
            )
        finally:
            self.password = ""
        self.notice = _("Staff account “%(name)s” created.") % {"name": user.get_username()}
        self.username = self.email = self.password = ""
        self.superuser = False

    def toggle_active(self, user_id: int) -> None:
        user = self._user(user_id)
        user = accounts.set_active(user=user, active=not user.is_active, by=self.request.user)
        state = "enabled" if user.is_active else "disabled"
        self.notice = f"“{user.get_username()}” {state}."

    def toggle_staff(self, user_id: int) -> None:
        user = self._user(user_id)
        user = accounts.set_staff(user=user, staff=not user.is_staff, by=self.request.user)
        self.notice = (
            f"“{user.get_username()}” {'can' if user.is_staff else 'cannot'} use the portal."
        )

    def toggle_superuser(self, user_id: int) -> None:
        user = self._user(user_id)
        user = accounts.set_superuser(
            user=user, superuser=not user.is_superuser, by=self.request.user
        )
        self.notice = (
            f"“{user.get_username()}” is {'now' if user.is_superuser else 'no longer'} an admin."
        )

    def choose_password(self, user_id: int) -> None:
        self.password_user = int(user_id)
        self.new_password = ""

    def save_password(self) -> None:
        user = self._user(self.password_user)
        try:
            accounts.set_password(user=user, password=self.new_password, by=self.request.user)
        except InvalidInput as exc:
            self._show_error(exc, field="new_password")
            return
        finally:
            self.new_password = ""
        self.notice = _("New password set for “%(name)s”.") % {"name": user.get_username()}
        self.password_user = 0

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["users"] = User.objects.order_by("-is_staff", "username")[:500]
        return context
