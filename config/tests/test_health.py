"""GET /healthz: small JSON with each check, 503 with reasons when one fails."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.status import Stat, Status

from config.tests.subprocess_env import project_env, run_manage
from messaging.models import Contact, InboundMessage, OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(monkeypatch):
    """Tasks run by a cluster (not inline): the check looks for its stats in the broker."""
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()

    def alive() -> None:
        status = Status(pid=os.getpid(), cluster_id="test-cluster")
        status.status = Conf.IDLE
        broker.set_stat(Stat.get_key("test-cluster"), SignedPackage.dumps(status, True), 3)

    yield alive
    broker.cache.delete(Stat.get_key("test-cluster"))


def _contact() -> Contact:
    return Contact.objects.create(wa_id="5215512345678")


def test_healthy_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["reasons"] == []
    for check in ("database", "task_queue", "task_cluster", "outbox", "inbox"):
        assert body[check] is True, check


def test_broker_down_is_503(client, monkeypatch):
    def ping(self):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(type(get_broker()), "ping", ping)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["task_queue"] is False


def test_a_dead_cluster_is_503(client, cluster):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["task_cluster"] is False
    assert any("cluster" in reason for reason in response.json()["reasons"])

    cluster()  # the cluster's sentinel writes its stats every half second
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["task_cluster"] is True


def test_a_stuck_outbox_is_503(client, settings):
    settings.HEALTHZ_OUTBOX_MAX_WAIT_SECONDS = 300
    row = OutboundMessage.objects.create(contact=_contact(), to="x", kind="text", payload={})
    assert client.get("/healthz").status_code == 200  # due just now: not stuck

    OutboundMessage.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=301)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["outbox"] is False
    assert any("outbox" in reason for reason in response.json()["reasons"])

    # Waiting for a later retry (backoff) is not stuck.
    OutboundMessage.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=10)
    )
    assert client.get("/healthz").status_code == 200


def test_unprocessed_inbound_messages_are_503(client, settings):
    settings.HEALTHZ_INBOX_MAX_WAIT_SECONDS = 120
    message = InboundMessage.objects.create(
        contact=_contact(), wa_message_id="wamid.1", type="text"
    )
    assert client.get("/healthz").status_code == 200

    InboundMessage.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - timedelta(seconds=121)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["inbox"] is False


def test_only_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.slow
def test_not_redirected_to_https_in_production(tmp_path):
    """DEBUG=false turns on SECURE_SSL_REDIRECT: a plain-http probe must still get its answer."""
    env = project_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY="x" * 50,
        WHATSAPP_APP_SECRET="s",
        ALLOWED_HOSTS="*",
        PUBLIC_BASE_URL="https://raffles.example.test",
    )
    script = (
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.get('Location', ''))"
    )
    assert run_manage(env, "migrate", "-v0").returncode == 0
    assert run_manage(env, "createcachetable").returncode == 0
    result = run_manage(env, "shell", "-v0", "-c", script)
    assert result.returncode == 0, result.stderr
    status = int(result.stdout.strip().splitlines()[-1].split()[0])
    assert status != 301, result.stdout
    assert status in {200, 503}
