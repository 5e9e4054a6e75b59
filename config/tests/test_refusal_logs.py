"""A refused request (400, 401, 403, 404, 429 from the portal, the API and the webhook) logs
one line, never a traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from config.log_filters import OneLineRefusals
from messaging.channel.signature import sign_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_request(caplog: pytest.LogCaptureFixture) -> Callable[..., list[logging.LogRecord]]:
    """Run one request; the WARNING+ records it logged, as the console handler passes them."""

    def run(call: Callable[[], Any], status: int) -> list[logging.LogRecord]:
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            response = call()
        assert response.status_code == status
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        keep = OneLineRefusals()
        return [r for r in records if keep.filter(r)]

    return run


def _one_line(records: list[logging.LogRecord]) -> None:
    assert len(records) == 1, [r.getMessage() for r in records]
    record = records[0]
    assert record.exc_info is None
    assert not record.exc_text
    assert "\n" not in logging.Formatter().format(record)


def test_portal_refusals(one_request: Any, django_user_model: Any, settings: Any) -> None:
    plain = Client()
    plain.force_login(django_user_model.objects.create_user("customer", password="x" * 12))
    _one_line(one_request(lambda: plain.get("/portal/"), 403))
    _one_line(one_request(lambda: plain.post("/unicorn/message/dashboard", {}), 403))
    staff = Client()
    staff.force_login(django_user_model.objects.create_user("s", password="x" * 12, is_staff=True))
    _one_line(one_request(lambda: staff.get("/portal/orders/NOPE99/"), 404))

    settings.LOGIN_FAILURES_PER_USERNAME = 1
    anon = Client()
    anon.post("/portal/login/", {"username": "ana", "password": "wrong"})
    refused = one_request(
        lambda: anon.post("/portal/login/", {"username": "ana", "password": "wrong"}), 429
    )
    _one_line(refused)


def test_api_refusals(one_request: Any) -> None:
    anon = Client()
    _one_line(one_request(lambda: anon.get("/api/raffles/"), 401))
    bad_key = {"HTTP_AUTHORIZATION": "Bearer rk_live_00000000_nope"}
    _one_line(one_request(lambda: anon.get("/api/raffles/", **bad_key), 401))
    _one_line(one_request(lambda: anon.get("/api/nothing-here/"), 404))


def test_webhook_refusals(one_request: Any, settings: Any) -> None:
    anon = Client()
    post = anon.post
    _one_line(one_request(lambda: post("/whatsapp/webhook/", b"{}", "application/json"), 403))
    _one_line(one_request(lambda: anon.get("/whatsapp/webhook/?hub.mode=subscribe"), 403))
    body = b"{not json"
    signed = {"HTTP_X_HUB_SIGNATURE_256": sign_body(body)}
    _one_line(
        one_request(lambda: post("/whatsapp/webhook/", body, "application/json", **signed), 400)
    )


def test_a_server_error_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", 40, "x", 1, "Error", (), sys.exc_info())
    record.status_code = 500
    assert OneLineRefusals().filter(record)
    assert record.exc_info is not None
