"""GET /healthz: the database and the task queue's broker, as JSON."""

from __future__ import annotations

import pytest
from django_q.brokers import get_broker

pytestmark = pytest.mark.django_db


def test_healthy_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "task_queue": True}


def test_broker_down_is_503(client, monkeypatch):
    def ping(self):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(type(get_broker()), "ping", ping)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "task_queue": False}


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
