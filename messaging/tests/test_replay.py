"""`manage.py replay_deliveries`: deliveries the webhook could not store (503, raw body kept)
are stored again from their raw bodies, once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from messaging.channel import inbound
from messaging.models import InboundMessage, MessageStatus, OutboundMessage, WebhookDelivery
from messaging.tests.test_processing import batch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]
FAILED = WebhookDelivery.Status.FAILED
STORED = WebhookDelivery.Status.STORED


def with_status(data: dict) -> dict:
    """Add a delivery status for one of our messages to a delivery's first change."""
    data["entry"][0]["changes"][0]["value"]["statuses"] = [
        {
            "id": "wamid.OUT1",
            "status": "delivered",
            "timestamp": "150",
            "recipient_id": "111",
        }
    ]
    return data


@pytest.fixture
def refused(post_webhook, monkeypatch):
    """POST deliveries the database cannot store (the webhook answers 503, keeps the body)."""

    def post(data: dict) -> WebhookDelivery:
        with monkeypatch.context() as patch:
            patch.setattr(inbound, "_store", _explode)
            assert post_webhook(data).status_code == 503
        return WebhookDelivery.objects.filter(status=FAILED).latest("id")

    return post


def _explode(*args, **kwargs):
    raise OperationalError("database is locked")  # an outage: the webhook answers 503


@pytest.fixture
def replay(django_capture_on_commit_callbacks):
    """Run the command and the tasks it enqueued; returns its output."""

    def run(*args: str) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("replay_deliveries", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    return run


def acknowledgements() -> int:
    return OutboundMessage.objects.filter(kind="text").count()


def test_a_failed_delivery_is_replayed_once(refused, replay):
    delivery = refused(with_status(batch(("111", "w1", 100, "one"), ("111", "w2", 101, "two"))))
    assert not InboundMessage.objects.exists()
    output = replay()
    assert "1 of 1 failed deliveries replayed" in output
    delivery.refresh_from_db()
    assert (delivery.status, delivery.message_count, delivery.status_count) == (STORED, 2, 1)
    assert list(InboundMessage.objects.values_list("text", "status")) == [
        ("one", "processed"),
        ("two", "processed"),
    ]
    assert MessageStatus.objects.count() == 1
    assert acknowledgements() == 2
    # A second replay finds nothing to do, and stores nothing twice.
    assert "0 of 0" in replay()
    assert "0 of 0" in replay("--id", str(delivery.pk))  # stored: not failed any more
    assert InboundMessage.objects.count() == 2
    assert MessageStatus.objects.count() == 1
    assert acknowledgements() == 2


def test_replaying_what_meta_stored_meanwhile_stores_nothing_twice(refused, replay, post_webhook):
    data = batch(("111", "w1", 100, "one"))
    first = refused(data)
    second = refused(data)  # Meta retried, the database still away
    assert post_webhook(data).status_code == 200  # Meta's third try got through
    assert acknowledgements() == 1
    output = replay()
    assert "2 of 2 failed deliveries replayed" in output
    assert "new: 0 of 1 messages" in output
    assert InboundMessage.objects.count() == 1
    assert acknowledgements() == 1
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {STORED}
    for delivery in (first, second):
        delivery.refresh_from_db()
        assert delivery.status == STORED


def test_two_failed_copies_replayed_twice_are_stored_once(refused, replay):
    data = batch(("111", "w1", 100, "one"), ("222", "w2", 100, "two"))
    refused(data)
    refused(data)
    replay()
    replay()
    assert InboundMessage.objects.count() == 2
    assert acknowledgements() == 2


def test_dry_run_stores_nothing(refused, replay):
    delivery = refused(batch(("111", "w1", 100, "one")))
    output = replay("--dry-run")
    assert f"delivery {delivery.pk}" in output
    assert "would store 1 messages" in output
    assert not InboundMessage.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == FAILED


def test_choose_deliveries_by_id_and_time(refused, replay):
    old = refused(batch(("111", "w1", 100, "old")))
    WebhookDelivery.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=3))
    chosen = refused(batch(("222", "w2", 100, "chosen")))
    other = refused(batch(("333", "w3", 100, "other")))
    replay("--id", str(chosen.pk))
    assert list(InboundMessage.objects.values_list("text", flat=True)) == ["chosen"]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    replay("--since", since)
    assert sorted(InboundMessage.objects.values_list("text", flat=True)) == ["chosen", "other"]
    until = (timezone.now() - timedelta(days=1)).date().isoformat()
    replay("--until", until)
    assert InboundMessage.objects.count() == 3
    other.refresh_from_db()
    assert other.status == STORED


def test_a_cleared_body_cannot_be_replayed(refused, replay):
    delivery = refused(batch(("111", "w1", 100, "one")))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(body="")
    with pytest.raises(CommandError, match="could not be replayed"):
        replay()
    delivery.refresh_from_db()
    assert delivery.status == FAILED
