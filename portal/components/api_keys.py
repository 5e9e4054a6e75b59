"""Owners create and revoke API keys (portal.services), each with a role. A new key is shown
once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.components.base import StaffComponent, requires
from portal.models import ApiKey
from portal.roles import Perm, Role
from portal.services import create_api_key, revoke_api_key


class ApiKeysView(StaffComponent):
    _permission = Perm.MANAGE_API_KEYS

    name: str = ""
    read_only: bool = True
    role: str = ""  # empty: owner for a read-write key, viewer for a read-only one
    new_key: str = ""  # shown once, right after creation
    new_key_name: str = ""
    revoking: int = 0
    notice: str = ""

    @requires(Perm.MANAGE_API_KEYS)
    def create(self) -> None:
        self.notice = ""
        api_key, raw = create_api_key(
            name=self.name,
            read_only=self.read_only,
            role=self.role,
            created_by=self.request.user,
        )
        self.new_key = raw
        self.new_key_name = api_key.name
        self.name = ""
        self.read_only = True
        self.role = ""

    @requires(Perm.MANAGE_API_KEYS)
    def hide_key(self) -> None:
        self.new_key = ""
        self.new_key_name = ""

    @requires(Perm.MANAGE_API_KEYS)
    def ask_revoke(self, key_id: int) -> None:
        self.revoking = int(key_id)

    @requires(Perm.MANAGE_API_KEYS)
    def keep(self) -> None:
        self.revoking = 0

    @requires(Perm.MANAGE_API_KEYS)
    def revoke(self) -> None:
        api_key = ApiKey.objects.get(pk=self.revoking)
        self.revoking = 0
        api_key = revoke_api_key(api_key=api_key, by=self.request.user)
        self.notice = _("Key “%(name)s” (%(prefix)s) revoked.") % {
            "name": api_key.name,
            "prefix": api_key.prefix,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["roles"] = Role.choices
        context["keys"] = ApiKey.objects.select_related("created_by", "revoked_by")[:200]
        return context
