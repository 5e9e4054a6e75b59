"""Forged webhooks (missing or wrong signature) cost a log line and a counter, no database row."""

from __future__ import annotations

import pytest

from messaging.channel import forgeries
from messaging.models import WebhookDelivery
from messaging.tests.conftest import fixture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counter():
    forgeries.reset()
    yield
    forgeries.reset()


def test_fifty_forged_posts_store_nothing_and_are_counted(
    post_webhook, django_assert_max_num_queries, caplog
):
    raw = fixture_bytes("message-text.json")
    with django_assert_max_num_queries(0):  # no row, no write lock (the cache is not the DB here)
        for _ in range(50):
            assert post_webhook(raw, signature="sha256=" + "0" * 64).status_code == 403

    assert not WebhookDelivery.objects.exists()
    assert forgeries.total() == 50
    assert sum("wrong signature" in r.getMessage() for r in caplog.records) == 50


def test_the_cache_is_written_at_most_once_per_interval(settings, monkeypatch):
    writes: list[int] = []
    monkeypatch.setattr(forgeries, "_add_to_cache", writes.append)
    clock = [1000.0]
    monkeypatch.setattr(forgeries.time, "monotonic", lambda: clock[0])

    for _ in range(30):
        forgeries.count_forgery()
    clock[0] += forgeries.FLUSH_SECONDS + 1
    forgeries.count_forgery()

    assert writes == [1, 30]  # the first at once, the rest batched


def test_healthz_reports_the_count(client, post_webhook):
    raw = fixture_bytes("message-text.json")
    for _ in range(3):
        post_webhook(raw, signature="")
    assert client.get("/healthz").json()["forged_webhooks"] == 3
