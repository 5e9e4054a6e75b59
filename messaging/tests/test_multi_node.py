"""Two web nodes and two cluster nodes on one PostgreSQL database and one Redis.

Separate processes on their own ports (gunicorn × 2, `manage.py qcluster` × 2), production
settings, the queue in Redis under a name of this test's own. New buyers write several
messages each, every message posted to the other web node than the one before. Checked at
the fake Graph API: every outbox row reached it exactly once (nothing sent twice), each
buyer's replies arrived in the order the bot wrote them, and the pacing per phone number
held across both cluster nodes. Runs only where the test database is PostgreSQL and a Redis
answers (REDIS_URL, else the local default).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from messaging.channel import shapes
from messaging.channel.signature import sign_body
from messaging.models import InboundMessage, OutboundMessage
from messaging.tests.conftest import PHONE_NUMBER_ID, WEBHOOK_URL
from messaging.tests.test_cluster_kill import database_url

BASE_DIR = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
BUYERS = 6
MESSAGES_EACH = 3
RATE = 20  # WHATSAPP_MESSAGES_PER_SECOND on both nodes: low, so that pacing shows


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def wait_for(condition: Any, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name} ---\n{log.read_text()[-3000:]}" for log in logs)
            pytest.fail(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.2)


def post(port: int, wa_id: str, wamid: str, text: str, ts: int) -> int:
    message = {"id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": text}}
    raw = json.dumps(shapes.inbound(wa_id, message, name="Ana")).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{WEBHOOK_URL}",
        data=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign_body(raw)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return int(response.status)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_web_and_two_cluster_nodes_keep_order_pacing_and_send_once(fake_graph, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("several nodes share a PostgreSQL database")
    if not redis_answers():
        pytest.skip("no Redis answers")
    from raffles.tests.factories import make_raffle

    make_raffle(size=100)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "Q_CLUSTER_NAME": f"multinode-{secrets.token_hex(4)}",
        "Q_WORKERS": "2",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        # Required with DEBUG=false (system check messaging.E001); never contacted.
        "PUBLIC_BASE_URL": "https://raffles.example.test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "WHATSAPP_APP_SECRET": settings.WHATSAPP_APP_SECRET,
        "WHATSAPP_API_BASE_URL": fake_graph.base_url,
        "WHATSAPP_ACCESS_TOKEN": fake_graph.token,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_MESSAGES_PER_SECOND": str(RATE),
    }
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"{name}.log" for name in ("web-1", "web-2", "cluster-1", "cluster-2")]
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2"]
    processes = [
        start([*gunicorn, "--bind", f"127.0.0.1:{port}"], env, log)
        for port, log in zip(ports, logs[:2], strict=True)
    ] + [start([sys.executable, "manage.py", "qcluster"], env, log) for log in logs[2:]]
    try:
        for port in ports:

            def up(port: int = port) -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        return True
                except OSError:
                    return False

            wait_for(up, 60, f"the web node on port {port}", logs)
        time.sleep(3.0)  # the cluster nodes start their workers
        buyers = [f"5215590{n:05d}" for n in range(BUYERS)]
        texts = ["hi", "menu", "help"][:MESSAGES_EACH]
        start_ts = int(time.time())
        turn = 0
        for i, text in enumerate(texts):
            for wa_id in buyers:
                status = post(ports[turn % 2], wa_id, f"wamid.MN{wa_id}.{i}", text, start_ts + i)
                assert status == 200
                turn += 1
        total_in = BUYERS * len(texts)

        def done() -> bool:
            processed = InboundMessage.objects.filter(status=InboundMessage.Status.PROCESSED)
            pending = OutboundMessage.objects.filter(status__in=OutboundMessage.PENDING_STATUSES)
            return processed.count() == total_in and not pending.exists()

        wait_for(done, 120, "every message handled and every reply sent", logs)
    finally:
        for process in processes:
            stop(process)

    rows = list(OutboundMessage.objects.order_by("id"))
    assert rows
    assert all(r.status == OutboundMessage.Status.SENT for r in rows)
    requests = [r for r in fake_graph.message_requests() if r.status == 200]
    # Nothing sent twice: one request per outbox row, no more.
    assert len(requests) == len(rows)
    # Each buyer's replies arrived in the order the bot wrote them.
    written: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.kind != OutboundMessage.Kind.READ:
            written[row.to].append(json.dumps(row.payload, sort_keys=True))
    arrived: dict[str, list[str]] = defaultdict(list)
    for r in requests:
        body = r.json
        if isinstance(body, dict) and body.get("to"):
            arrived[body["to"]].append(json.dumps(body, sort_keys=True))
    assert set(arrived) == set(written) == set(buyers)
    for wa_id in buyers:
        assert arrived[wa_id] == written[wa_id], wa_id
    # Pacing per phone number across both cluster nodes: no RATE + 1 requests within a second
    # (a little slack for the network between the sender's slot and the fake's clock).
    times = sorted(r.at for r in requests)
    for first, last in zip(times, times[RATE:], strict=False):
        assert last - first >= 1.0 - 0.1, (first, last)
