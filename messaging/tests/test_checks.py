"""The draw links the bot sends need the site's public address: production (DEBUG=false)
refuses to start without PUBLIC_BASE_URL instead of sending links to 127.0.0.1."""

from __future__ import annotations

import secrets

import pytest

from config.tests.subprocess_env import project_env, run_manage
from messaging import checks


def production(tmp_path, **overrides: str) -> dict[str, str]:
    return project_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="raffles.example.test",
        CSRF_TRUSTED_ORIGINS="https://raffles.example.test",
        WHATSAPP_APP_SECRET="x",
        **overrides,
    )


@pytest.mark.parametrize("value", ["", "http://127.0.0.1:8000", "localhost:8000", "raffles"])
def test_production_needs_a_public_address(settings, value):
    settings.DEBUG = False
    settings.PUBLIC_BASE_URL = value
    [error] = checks.public_base_url(None)
    assert error.id == "messaging.E001"
    assert "PUBLIC_BASE_URL" in error.msg


def test_a_public_address_or_debug_passes(settings):
    settings.DEBUG = False
    settings.PUBLIC_BASE_URL = "https://raffles.example.test"
    assert checks.public_base_url(None) == []
    settings.DEBUG = True
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    assert checks.public_base_url(None) == []


def test_manage_refuses_to_start_without_it(tmp_path):
    result = run_manage(production(tmp_path), "check")
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    ok = run_manage(production(tmp_path, PUBLIC_BASE_URL="https://raffles.example.test"), "check")
    assert ok.returncode == 0, ok.stderr
