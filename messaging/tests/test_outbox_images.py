"""Pictures through the outbox and the fake Graph API: the file is uploaded (multipart, as
Meta takes it) once, then the message points to the uploaded id; a retry reuses the id."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from messaging.channel import outbox
from messaging.models import Contact, OutboundMedia, OutboundMessage
from messaging.tests.conftest import PHONE_NUMBER_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def open_contact(contact: Contact) -> Contact:
    contact.last_inbound_at = timezone.now() - timedelta(hours=1)
    contact.save()
    return contact


def test_an_image_is_uploaded_then_sent_by_id(fake_graph, open_contact, run_after_commit):
    content = png()
    row = run_after_commit(outbox.queue_image, open_contact, content, caption="Free numbers")
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT
    [upload] = fake_graph.uploads()
    assert upload.path == f"/v21.0/{PHONE_NUMBER_ID}/media"
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    [sent] = fake_graph.sent_payloads()
    assert sent["type"] == "image"
    assert sent["image"]["caption"] == "Free numbers"
    assert fake_graph.media_content(sent["image"]["id"]) == content
    assert row.payload["image"]["id"] == sent["image"]["id"]  # staff see what went out


def test_a_failed_message_send_retries_with_the_same_upload(
    fake_graph, open_contact, run_after_commit, monkeypatch
):
    from messaging.channel import graph

    real_send = graph.GraphClient.send
    calls: list[int] = []

    def flaky_send(self, payload):
        calls.append(1)
        if len(calls) == 1:
            fake_graph.fail_next(1, status=500)
        return real_send(self, payload)

    monkeypatch.setattr(graph.GraphClient, "send", flaky_send)
    row = run_after_commit(outbox.queue_image, open_contact, png("green"))
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT
    assert row.attempts == 2
    assert len(fake_graph.uploads()) == 1  # the second attempt reused Meta's id


def test_the_same_picture_twice_is_stored_and_uploaded_once(
    fake_graph, open_contact, run_after_commit
):
    content = png("yellow")
    first = run_after_commit(outbox.queue_image, open_contact, content)
    second = run_after_commit(outbox.queue_image, open_contact, content)
    assert first.media_id == second.media_id
    assert OutboundMedia.objects.count() == 1
    assert len(fake_graph.uploads()) == 1
    assert len([p for p in fake_graph.sent_payloads() if p["type"] == "image"]) == 2


def test_an_upload_that_fails_is_retried_and_nothing_is_sent_meanwhile(
    fake_graph, open_contact, run_after_commit
):
    fake_graph.fail_next(1, status=500)  # taken by the upload
    row = run_after_commit(outbox.queue_image, open_contact, png("black"))
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT
    assert len(fake_graph.uploads()) == 1
    assert len(fake_graph.sent_payloads()) == 1


def test_the_fake_refuses_an_image_with_an_unknown_id(fake_graph, open_contact):
    from messaging.channel.graph import GraphClient
    from messaging.exceptions import GraphError

    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": open_contact.wa_id,
        "type": "image",
        "image": {"id": "123"},
    }
    with pytest.raises(GraphError):
        GraphClient().send(body)


def test_a_resend_after_meta_forgot_the_file_uploads_it_again(
    fake_graph, open_contact, run_after_commit, sim_clock
):
    from messaging.channel import resend

    row = run_after_commit(outbox.queue_image, open_contact, png("white"))
    row.refresh_from_db()
    first_id = row.payload["image"]["id"]
    # Meta lost it (a failed delivery, reported later): staff re-send it a month on.
    OutboundMessage.objects.filter(pk=row.pk).update(status=OutboundMessage.Status.FAILED)
    OutboundMedia.objects.update(uploaded_at=timezone.now() - timedelta(days=26))
    run_after_commit(resend.resend_message, row.pk)
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT
    assert len(fake_graph.uploads()) == 2, [r.path for r in fake_graph.requests]
    assert row.payload["image"]["id"] != first_id
