"""Superusers manage staff accounts and API keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from portal.models import ApiKey
from portal.services import hash_api_key
from portal.tests.conftest import unicorn_call

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_create_staff_account(admin_client_: Client) -> None:
    result = unicorn_call(
        admin_client_,
        "staff-accounts",
        "create",
        {"username": "maria", "email": "", "password": "Long-enough-pass-9", "superuser": False},
    )
    assert "created" in result.data["notice"]
    assert "password" not in result.data  # never echoed back
    user = User.objects.get(username="maria")
    assert user.is_staff
    assert not user.is_superuser
    assert user.check_password("Long-enough-pass-9")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "", "password": "Long-enough-pass-9"}, "username"),
        ({"username": "boss", "password": "Long-enough-pass-9"}, "username"),
        ({"username": "x y", "password": "Long-enough-pass-9"}, "username"),
        ({"username": "ok", "password": "123"}, "password"),
        ({"username": "ok", "password": "Long-enough-pass-9", "email": "nope"}, "email"),
    ],
)
def test_staff_account_errors_next_to_fields(
    admin_client_: Client, data: dict[str, Any], field: str
) -> None:
    result = unicorn_call(admin_client_, "staff-accounts", "create", data)
    assert field in result.data["field_errors"], result.data
    assert not User.objects.filter(username="ok").exists()


def test_disable_and_grant(admin_client_: Client, staff_user: Any, superuser: Any) -> None:
    result = unicorn_call(admin_client_, "staff-accounts", f"toggle_active({staff_user.pk})")
    staff_user.refresh_from_db()
    assert not staff_user.is_active
    assert "disabled" in result.data["notice"]
    unicorn_call(admin_client_, "staff-accounts", f"toggle_superuser({staff_user.pk})")
    staff_user.refresh_from_db()
    assert staff_user.is_superuser
    unicorn_call(admin_client_, "staff-accounts", f"toggle_staff({staff_user.pk})")
    staff_user.refresh_from_db()
    assert not staff_user.is_staff
    assert not staff_user.is_superuser
    result = unicorn_call(admin_client_, "staff-accounts", f"toggle_active({superuser.pk})")
    assert "your own access" in result.data["error"]


def test_set_password(admin_client_: Client, staff_user: Any) -> None:
    data = {"password_user": staff_user.pk}
    result = unicorn_call(
        admin_client_, "staff-accounts", "save_password", data, sync={"new_password": "1"}
    )
    assert "new_password" in result.data["field_errors"]
    unicorn_call(
        admin_client_,
        "staff-accounts",
        "save_password",
        data,
        sync={"new_password": "Another-long-pass-7"},
    )
    staff_user.refresh_from_db()
    assert staff_user.check_password("Another-long-pass-7")


def test_api_keys_created_once_and_revoked(admin_client_: Client) -> None:
    result = unicorn_call(
        admin_client_, "api-keys", "create", {"name": "Accounting", "read_only": True}
    )
    raw = result.data["new_key"]
    key = ApiKey.objects.get(name="Accounting")
    assert key.key_hash == hash_api_key(raw)
    assert raw in result.dom
    assert 'data-testid="new-key"' in result.dom
    result = unicorn_call(admin_client_, "api-keys", "hide_key", result.data)
    assert raw not in result.dom

    result = unicorn_call(admin_client_, "api-keys", "create", {"name": ""})
    assert "name" in result.data["field_errors"]

    result = unicorn_call(admin_client_, "api-keys", "revoke", {"revoking": key.pk})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in result.data["notice"]
