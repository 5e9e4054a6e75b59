"""A real django-q2 cluster, killed with SIGKILL while it sends: after a restart every outbox
row is sent, none more than twice. Runs on the test database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_q.tasks import async_task

from messaging.channel import jobs, outbox
from messaging.models import Contact, OutboundMessage
from messaging.tests.conftest import PHONE_NUMBER_ID

BASE_DIR = Path(settings.BASE_DIR)
CONTACTS = 8
ROWS_PER_CONTACT = 3
TOTAL = CONTACTS * ROWS_PER_CONTACT


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_cluster(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: we kill the whole cluster at once
    )


def kill_cluster(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out waiting for {what}\n--- cluster log ---\n{log.read_text()[-5000:]}"
            )
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_cluster_loses_nothing_and_sends_nothing_more_than_twice(
    fake_graph, monkeypatch, tmp_path
):
    fake_graph.delay = 0.25  # slow Graph API: the kill lands in the middle of sends
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # django-q2 signs task packages with it
        "DEBUG": "true",
        "Q_WORKERS": "2",
        "WHATSAPP_API_BASE_URL": fake_graph.base_url,
        "WHATSAPP_ACCESS_TOKEN": fake_graph.token,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_SEND_LEASE_SECONDS": "3",
        "WHATSAPP_MESSAGES_PER_SECOND": "80",
    }
    # Tasks go to the real broker on the test database (the test settings run them inline).
    monkeypatch.setattr(
        jobs, "enqueue", lambda func, *args, **kwargs: async_task(func, *args, sync=False, **kwargs)
    )
    contacts = [Contact.objects.create(wa_id=f"52155000001{i:02d}") for i in range(CONTACTS)]
    for n in range(ROWS_PER_CONTACT):
        for contact in contacts:
            outbox.queue_text(contact, f"row-{contact.pk}-{n}")
    assert OutboundMessage.objects.filter(status="queued").count() == TOTAL

    # (The cluster logs "no such table: raffles_cache" for its stats: harmless here.)
    log = tmp_path / "qcluster.log"
    cluster = start_cluster(env, log)
    try:
        wait_for(lambda: len(fake_graph.message_requests()) >= 6, 60, "the first sends", log)
        kill_cluster(cluster)
        sent_before_restart = len(fake_graph.message_requests())
        assert sent_before_restart < TOTAL, "the cluster finished before it was killed"
        assert OutboundMessage.objects.exclude(status="sent").exists()

        cluster = start_cluster(env, log)
        next_sweep = [0.0]

        def all_sent() -> bool:
            if not OutboundMessage.objects.exclude(status="sent").exists():
                return True
            # What the every-minute schedule does, sooner: rows left by the dead cluster.
            if time.monotonic() >= next_sweep[0]:
                next_sweep[0] = time.monotonic() + 1.5
                async_task(jobs.SWEEP, grace_seconds=0, sync=False)
            return False

        wait_for(all_sent, 90, "every row to be sent", log)
    finally:
        kill_cluster(cluster, signal.SIGTERM)

    bodies = Counter(
        r.json["text"]["body"]
        for r in fake_graph.message_requests()
        if isinstance(r.json, dict) and r.json.get("type") == "text"
    )
    expected = {f"row-{c.pk}-{n}" for c in contacts for n in range(ROWS_PER_CONTACT)}
    assert set(bodies) == expected
    assert max(bodies.values()) <= 2, bodies.most_common(5)
    assert OutboundMessage.objects.filter(status="sent").count() == TOTAL
    # Each contact's rows reached the API in order (first arrivals).
    first_seen: list[str] = []
    for r in fake_graph.message_requests():
        body = r.json["text"]["body"]
        if body not in first_seen:
            first_seen.append(body)
    for contact in contacts:
        own = [b for b in first_seen if b.startswith(f"row-{contact.pk}-")]
        assert own == sorted(own)
