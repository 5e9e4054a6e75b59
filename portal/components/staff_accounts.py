"""Owners manage staff accounts: create, disable, choose each one's role, grant or remove
staff and superuser rights, set a new password. The writes are portal.accounts; here only
input and output."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal import accounts
from portal.components.base import StaffComponent, requires
from portal.roles import Perm, Role, role_of
from raffles.exceptions import InvalidInput

User = get_user_model()


class StaffAccountsView(StaffComponent):
    _permission = Perm.MANAGE_STAFF

    username: str = ""
    email: str = ""
    password: str = ""
    superuser: bool = False
    role: str = Role.VIEWER
    password_user: int = 0
    new_password: str = ""
    notice: str = ""

    class Meta:
        javascript_exclude = ("password", "new_password")  # never echoed back to the page

    def _user(self, user_id: int) -> Any:
        return User.objects.get(pk=int(user_id))

    @requires(Perm.MANAGE_STAFF)
    def create(self) -> None:
        self.notice = ""
        try:
            user = accounts.create_staff_user(
                username=self.username,
                password=self.password,
                email=self.email,
                superuser=self.superuser,
                role=self.role,
                by=self.request.user,
            )
        finally:
            self.password = ""
        self.notice = _("Staff account “%(name)s” created.") % {"name": user.get_username()}
        self.username = self.email = self.password = ""
        self.superuser = False
        self.role = Role.VIEWER

    @requires(Perm.MANAGE_STAFF)
    def set_role(self, user_id: int, role: str) -> None:
        user = accounts.set_role(user=self._user(user_id), role=str(role), by=self.request.user)
        label = Role(role).label
        self.notice = _("“%(user)s” is now: %(role)s.") % {
            "user": user.get_username(),
            "role": label,
        }

    @requires(Perm.MANAGE_STAFF)
    def toggle_active(self, user_id: int) -> None:
        user = self._user(user_id)
        user = accounts.set_active(user=user, active=not user.is_active, by=self.request.user)
        state = "enabled" if user.is_active else "disabled"
        self.notice = f"“{user.get_username()}” {state}."

    @requires(Perm.MANAGE_STAFF)
    def toggle_staff(self, user_id: int) -> None:
        user = self._user(user_id)
        user = accounts.set_staff(user=user, staff=not user.is_staff, by=self.request.user)
        self.notice = (
            f"“{user.get_username()}” {'can' if user.is_staff else 'cannot'} use the portal."
        )

    @requires(Perm.MANAGE_STAFF)
    def toggle_superuser(self, user_id: int) -> None:
        user = self._user(user_id)
        user = accounts.set_superuser(
            user=user, superuser=not user.is_superuser, by=self.request.user
        )
        self.notice = (
            f"“{user.get_username()}” is {'now' if user.is_superuser else 'no longer'} an admin."
        )

    @requires(Perm.MANAGE_STAFF)
    def choose_password(self, user_id: int) -> None:
        self.password_user = int(user_id)
        self.new_password = ""

    @requires(Perm.MANAGE_STAFF)
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
        users: list[Any] = list(
            User.objects.select_related("portal_role").order_by("-is_staff", "username")[:500]
        )
        for user in users:
            role = role_of(user)
            user.portal_role_name = role
            user.portal_role_label = Role(role).label if role else ""
        context["users"] = users
        context["roles"] = Role.choices
        return context
