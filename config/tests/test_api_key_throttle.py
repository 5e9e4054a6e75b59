"""Guessing API keys: unknown keys are counted per client address, and past the limit every
key from that address is refused with 429 and Retry-After (before any lookup), so a guess
that happens to be right is not told apart."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.services import create_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings, clear_cache):
    settings.API_INVALID_KEY_RATE = "3/min"


def _get(key: str, ip: str = "127.0.0.1", header: str = "Authorization"):
    value = f"Bearer {key}" if header == "Authorization" else key
    return Client().get("/api/raffles/", headers={header: value}, REMOTE_ADDR=ip)


def test_unknown_keys_are_throttled_per_address(limit, superuser):
    _, good = create_api_key(name="accounting", read_only=True, created_by=superuser)
    statuses = [_get(f"rk_live_guess{i}").status_code for i in range(3)]
    statuses.append(_get("rk_live_guess4", header="X-API-Key").status_code)
    assert statuses == [401, 401, 401, 429]

    refused = _get(good)  # even the right key, from that address, until the window passes
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert refused.json()["retry_after"] == int(refused["Retry-After"])

    assert _get(good, ip="127.0.0.2").status_code == 200  # other clients are not affected
    assert _get("rk_live_other", ip="127.0.0.2").status_code == 401


def test_good_keys_are_not_counted(limit, superuser):
    _, good = create_api_key(name="accounting", read_only=True, created_by=superuser)
    assert {_get(good).status_code for _ in range(10)} == {200}
