"""Portal test fixtures: users with and without staff rights, logged-in clients, and a helper
that talks to the django-unicorn message endpoint like the browser does."""

from __future__ import annotations

import time
from typing import Any

import pytest
import shortuuid
from django.contrib.auth import get_user_model
from django.test import Client
from django_unicorn.utils import generate_checksum

from raffles.models import Raffle
from raffles.tests.factories import BuyerFactory, make_raffle

PASSWORD = "portal-Test-pass-42"


def make_staff(username: str, role: str) -> Any:
    """An active staff user with a portal role (`portal.roles.Role`)."""
    from portal.models import StaffRole

    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    StaffRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def staff_user(db: None) -> Any:
    """A staff member with the owner role (may do everything in the portal)."""
    return make_staff("staff", "owner")


@pytest.fixture
def superuser(db: None) -> Any:
    return get_user_model().objects.create_user(
        "boss", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def plain_user(db: None) -> Any:
    """Signed in, active, but not staff: must be refused everywhere."""
    return get_user_model().objects.create_user("customer", password=PASSWORD)


@pytest.fixture
def staff_client(staff_user: Any) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client_(superuser: Any) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def plain_client(plain_user: Any) -> Client:
    client = Client()
    client.force_login(plain_user)
    return client


@pytest.fixture
def raffle(db: None) -> Raffle:
    return make_raffle(size=100, title="Portal test raffle")


@pytest.fixture
def buyer(db: None) -> Any:
    return BuyerFactory(name="Ana López", phone="+5215511112222")


@pytest.fixture(autouse=True)
def _clear_unicorn_cache() -> None:
    from django.core.cache import cache

    cache.clear()


class UnicornResult:
    def __init__(self, response: Any) -> None:
        self.response = response
        self.status_code = response.status_code
        self.json: dict[str, Any] = (
            response.json()
            if response.get("Content-Type", "").startswith("application/json")
            else {}
        )

    @property
    def data(self) -> dict[str, Any]:
        return self.json.get("data", {})

    @property
    def content_hash(self) -> str:
        parts = (self.json.get("meta") or "").split(":")
        return parts[1] if len(parts) > 1 else ""

    @property
    def dom(self) -> str:
        return self.json.get("dom") or ""


def unicorn_call(
    client: Client,
    component: str,
    method: str | None = None,
    data: dict[str, Any] | None = None,
    *,
    component_id: str | None = None,
    sync: dict[str, Any] | None = None,
    content_hash: str = "",
) -> UnicornResult:
    """POST one message to /unicorn/message/<component> (as unicorn.js does)."""
    data = dict(data or {})
    actions: list[dict[str, Any]] = []
    for name, value in (sync or {}).items():
        actions.append({"type": "syncInput", "payload": {"name": name, "value": value}})
    if method:
        actions.append({"type": "callMethod", "payload": {"name": method}})
    body = {
        "id": component_id or shortuuid.uuid()[:8],
        "data": data,
        "meta": f"{generate_checksum(data)}:{content_hash}:{int(time.time() * 1000)}",
        "actionQueue": actions,
    }
    response = client.post(
        f"/unicorn/message/{component}",
        data=body,
        content_type="application/json",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    return UnicornResult(response)
