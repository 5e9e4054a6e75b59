"""Brute force on the portal login: after N failures per username or per client address
within a window, the login is refused (429, a clear form error) until the window passes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal import throttle

pytestmark = pytest.mark.django_db
URL = "/portal/login/"


@pytest.fixture(autouse=True)
def limits(settings: Any) -> Any:
    cache.clear()
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    settings.LOGIN_FAILURES_PER_IP = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    yield settings
    cache.clear()


@pytest.fixture
def staff() -> Any:
    return get_user_model().objects.create_user("ana", password="right-password", is_staff=True)


def _login(client: Client, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_username_is_locked_after_n_failures_even_with_the_right_password(staff, client):
    for _ in range(3):
        assert _login(client, "ana", "wrong").status_code == 200
    response = _login(client, "ana", "right-password")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address does not help: the username is locked.
    assert _login(Client(), "ana", "right-password", ip="127.0.0.9").status_code == 429


def test_an_address_is_locked_after_n_failures_across_usernames(staff, client):
    for i in range(5):
        assert _login(client, f"user{i}", "wrong").status_code == 200
    assert _login(client, "ana", "right-password").status_code == 429
    # Someone else, from elsewhere, still signs in.
    response = _login(Client(), "ana", "right-password", ip="127.0.0.2")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_the_lock_ends_when_the_window_passes(staff, client, monkeypatch):
    clock = [10_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    for _ in range(3):
        _login(client, "ana", "wrong")
    assert _login(client, "ana", "right-password").status_code == 429

    clock[0] += 601
    assert _login(client, "ana", "right-password").status_code == 302
