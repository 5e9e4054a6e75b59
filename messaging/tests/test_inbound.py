"""Storing a delivery: one commit, deduplicated, one processing task per contact."""

from __future__ import annotations

import json

import pytest

from messaging.channel import inbound, jobs
from messaging.models import Contact, InboundMessage, WebhookDelivery
from messaging.tests.test_processing import batch

pytestmark = pytest.mark.django_db


def store(data: dict, callbacks_fixture) -> tuple[WebhookDelivery, inbound.IngestResult, list]:
    with callbacks_fixture() as callbacks:
        delivery, result = inbound.store_delivery(json.dumps(data).encode(), data)
    return delivery, result, [c.key for c in callbacks if isinstance(c, jobs._Enqueue)]


def test_one_commit_stores_everything_and_one_task_per_contact(
    django_capture_on_commit_callbacks,
):
    data = batch(
        ("111", "w1", 100, "a"), ("222", "w2", 101, "b"), ("111", "w3", 102, "c"),
        ("111", "w1", 100, "a"),  # the same message twice in one delivery
    )  # fmt: skip
    delivery, result, tasks = store(data, django_capture_on_commit_callbacks)
    assert (result.new_messages, delivery.message_count) == (3, 4)
    assert delivery.status == WebhookDelivery.Status.STORED
    assert InboundMessage.objects.filter(delivery=delivery).count() == 3
    ids = dict(Contact.objects.values_list("wa_id", "pk"))
    assert sorted(tasks) == sorted(
        [(jobs.PROCESS_CONTACT, (ids["111"],)), (jobs.PROCESS_CONTACT, (ids["222"],))]
    )
    assert Contact.objects.get(wa_id="111").last_inbound_at.timestamp() == 102


def test_a_replayed_delivery_stores_nothing_and_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    data = batch(("111", "w1", 100, "a"))
    store(data, django_capture_on_commit_callbacks)
    _delivery, result, tasks = store(data, django_capture_on_commit_callbacks)
    assert result.new_messages == 0
    assert tasks == []
    assert InboundMessage.objects.count() == 1
    assert WebhookDelivery.objects.count() == 2  # every raw body is kept


@pytest.mark.django_db(transaction=True)
def test_a_copy_stored_meanwhile_is_not_stored_twice(monkeypatch):
    """Meta retrying while the first delivery is in flight: the look-up (outside the
    transaction) missed it, the INSERT ignores it."""
    enqueued: list[tuple] = []
    monkeypatch.setattr(jobs, "enqueue", lambda func, *args: enqueued.append((func, args)))
    data = batch(("111", "w1", 100, "a"))
    raw = json.dumps(data).encode()
    inbound.store_delivery(raw, data)
    monkeypatch.setattr(inbound, "_look_up", lambda batch: inbound.Seen({}, frozenset()))
    inbound.store_delivery(raw, data)
    assert InboundMessage.objects.count() == 1
    assert Contact.objects.count() == 1
    assert WebhookDelivery.objects.count() == 2
    # The second delivery thinks its copy is new: one more task, which finds nothing to do.
    assert len(enqueued) == 2


def test_old_raw_bodies_are_cleared_and_their_messages_stay(
    django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.utils import timezone

    settings.WHATSAPP_RAW_BODY_DAYS = 30
    old, _, _ = store(batch(("111", "old1", 100, "a")), django_capture_on_commit_callbacks)
    new, _, _ = store(batch(("111", "new1", 101, "b")), django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=31)
    )
    assert inbound.clear_old_raw_bodies() == 1
    assert inbound.clear_old_raw_bodies() == 0  # done once
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.body == ""
    assert old.body_sha256
    assert old.message_count == 1
    assert new.body != ""
    assert InboundMessage.objects.filter(wa_message_id__in=["old1", "new1"]).count() == 2
    settings.WHATSAPP_RAW_BODY_DAYS = 0
    WebhookDelivery.objects.filter(pk=new.pk).update(
        received_at=timezone.now() - timedelta(days=3650)
    )
    assert inbound.clear_old_raw_bodies() == 0  # 0 keeps them forever
