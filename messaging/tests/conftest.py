"""Fixtures for the WhatsApp channel: the fake Graph API, webhook payloads, signed posts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from messaging.channel.signature import sign_body
from messaging.models import Contact
from messaging.testing.echo import echo_inbound
from messaging.testing.fakegraph import FakeGraph

FIXTURES = Path(__file__).parent / "fixtures"
WEBHOOK_URL = "/whatsapp/webhook/"
PHONE_NUMBER_ID = "1122334455667"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def all_fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.fixture
def echo_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    """The channel's tests answer with the echo, not the bot (through the hook's default)."""
    from messaging.bot import handlers

    monkeypatch.setattr(handlers, "handle_inbound", echo_inbound)


@pytest.fixture
def fake_graph(settings: Any) -> Iterator[FakeGraph]:
    """A real fake Graph API on a free port; settings point at it (no sandbox)."""
    fake = FakeGraph(token="test-graph-token").start()
    settings.WHATSAPP_API_BASE_URL = fake.base_url
    settings.WHATSAPP_ACCESS_TOKEN = fake.token
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_SANDBOX = False
    settings.WHATSAPP_RETRY_BASE_SECONDS = 0.01
    settings.WHATSAPP_MESSAGES_PER_SECOND = 1000
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def post_webhook(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """POST a body signed like Meta would, running the after-commit tasks (sync in tests)."""

    def post(body: bytes | dict[str, Any] | str, *, signature: str | None = None) -> Any:
        if isinstance(body, dict):
            raw = json.dumps(body).encode()
        elif isinstance(body, str):
            raw = fixture_bytes(body) if body.endswith(".json") else body.encode()
        else:
            raw = body
        headers = {}
        sig = sign_body(raw) if signature is None else signature
        if sig:
            headers["HTTP_X_HUB_SIGNATURE_256"] = sig
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(WEBHOOK_URL, data=raw, content_type="application/json", **headers)

    return post


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a callable and then its after-commit callbacks (the tasks it enqueued)."""

    def run(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


@pytest.fixture
def contact(db: None) -> Contact:
    from messaging.channel.identity import get_contact

    contact = get_contact("5215512345678")
    return contact


@pytest.fixture
def sim_clock() -> Iterator[Any]:
    """The outbox's clock (messaging.channel.clock), advanced by the test; reset afterwards."""
    from messaging.channel import clock

    clock.reset()
    try:
        yield clock
    finally:
        clock.reset()
