"""Fixtures for HTTP tests of the API (registered in the root conftest.py).

`api` / `ro_api` send every request with a read-write / read-only key through the whole
stack (Django's test Client: WSGI handler, middleware, ninja); `staff_api` uses a staff
session with CSRF enforced, as a browser would.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from portal.models import ApiKey
from portal.services import create_api_key


@dataclass
class ApiClient:
    """Django's test Client with credentials and JSON bodies."""

    client: Client
    headers: dict[str, str] = field(default_factory=dict)
    api_key: ApiKey | None = None

    def request(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        headers = {**self.headers, **extra.pop("headers", {})}
        call = getattr(self.client, method.lower())
        if method.upper() in {"GET", "HEAD", "DELETE"} and data is None:
            return call(path, headers=headers, **extra)
        if method.upper() == "GET":
            return call(path, data, headers=headers, **extra)
        body = data if isinstance(data, str | bytes) else json.dumps(data)
        if data is None:
            body = ""
        return call(path, body, content_type="application/json", headers=headers, **extra)

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.request("GET", path, data, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.request("POST", path, data, **extra)

    def put(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.request("PUT", path, data, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.request("PATCH", path, data, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.request("DELETE", path, **extra)


@pytest.fixture
def clear_cache() -> Iterator[None]:
    """Throttle counters live in the cache: start and end each test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(db: None) -> Any:
    return get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")


@pytest.fixture
def staff_user(db: None) -> Any:
    from portal.models import StaffRole

    user = get_user_model().objects.create_user("clerk", "clerk@example.com", "pw", is_staff=True)
    StaffRole.objects.create(user=user, role="owner")
    return user


@pytest.fixture
def api(db: None, clear_cache: None, superuser: Any) -> ApiClient:
    api_key, raw = create_api_key(name="accounting", read_only=False, created_by=superuser)
    return ApiClient(Client(), {"Authorization": f"Bearer {raw}"}, api_key)


@pytest.fixture
def ro_api(db: None, clear_cache: None, superuser: Any) -> ApiClient:
    api_key, raw = create_api_key(name="website", read_only=True, created_by=superuser)
    return ApiClient(Client(), {"Authorization": f"Bearer {raw}"}, api_key)


@pytest.fixture
def anon_api(db: None, clear_cache: None) -> ApiClient:
    return ApiClient(Client())


@pytest.fixture
def staff_api(db: None, clear_cache: None, staff_user: Any) -> ApiClient:
    """A staff session; writes must carry the CSRF token, as from the portal's pages."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    client.cookies["csrftoken"] = secrets.token_hex(16)  # what the portal's pages set
    return ApiClient(client)


def csrf_headers(client: ApiClient) -> dict[str, str]:
    token = client.client.cookies["csrftoken"].value
    return {"X-CSRFToken": token}
