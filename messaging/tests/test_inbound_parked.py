"""Parked inbound messages: staff see them with the error and can retry them (service, API)."""

from __future__ import annotations

import pytest

from messaging import services
from messaging.bot import handlers
from messaging.channel import jobs
from messaging.channel.inbound import ingest
from messaging.exceptions import MessageNotFailed
from messaging.models import Contact, InboundMessage, OutboundMessage
from messaging.testing.echo import echo_inbound
from messaging.tests.test_processing import batch
from raffles.models import OrderEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]
Status = InboundMessage.Status


@pytest.fixture
def parked(monkeypatch, run_after_commit) -> InboundMessage:
    """A message whose handling broke (a bug), then a later one of the same buyer, handled."""

    def broken(message):
        if message.text == "broken":
            raise RuntimeError("bot bug")
        echo_inbound(message)

    monkeypatch.setattr(handlers, "handle_inbound", broken)
    run_after_commit(ingest, None, batch(("111", "w1", 100, "broken"), ("111", "w2", 101, "later")))
    monkeypatch.setattr(handlers, "handle_inbound", echo_inbound)  # the bug is fixed
    message = InboundMessage.objects.get(text="broken")
    assert message.status == Status.FAILED
    return message


def texts() -> list[str]:
    return [
        row["text"]["body"]
        for row in OutboundMessage.objects.filter(kind="text").values_list("payload", flat=True)
    ]


def test_a_retried_message_is_handled_again(parked, django_capture_on_commit_callbacks, staff):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.retry_inbound_message(parked.pk, by=staff)
        assert (message.status, message.attempts) == (Status.RECEIVED, 0)  # queued again
    assert [c.key for c in callbacks if isinstance(c, jobs._Enqueue)] == [
        (jobs.PROCESS_CONTACT, (parked.contact_id,))
    ]
    message.refresh_from_db()  # the task ran after the commit
    assert (message.status, message.attempts) == (Status.PROCESSED, 0)
    assert message.error == ""
    assert len([t for t in texts() if t.startswith("Sorry")]) == 1  # no second apology
    assert len([t for t in texts() if not t.startswith("Sorry")]) == 2  # "later", then it
    event = OrderEvent.objects.get(kind="inbound_retried")
    assert event.details["message"] == parked.pk
    assert event.actor_user == staff


def test_only_a_parked_message_can_be_retried(parked, run_after_commit):
    run_after_commit(services.retry_inbound_message, parked.pk)
    with pytest.raises(MessageNotFailed):
        services.retry_inbound_message(parked.pk)
    other = Contact.objects.create(wa_id="999")
    with pytest.raises(InboundMessage.DoesNotExist):
        services.retry_inbound_message(parked.pk, contact_id=other.pk)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("clerk2", password="pw", is_staff=True)


# --- API -----------------------------------------------------------------------------------
def test_api_lists_parked_messages(api, parked):
    response = api.get("/api/inbound-messages/failed/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["wa_id"], item["text"], item["status"]) == (
        parked.pk,
        "111",
        "broken",
        "failed",
    )
    assert "bot bug" in item["error"]
    assert item["attempts"] == 1


def test_api_retries_a_parked_message(api, parked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/inbound-messages/{parked.pk}/retry/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"  # queued again; the task ran after commit
    parked.refresh_from_db()
    assert parked.status == Status.PROCESSED
    assert api.get("/api/inbound-messages/failed/").json()["count"] == 0
    again = api.post(f"/api/inbound-messages/{parked.pk}/retry/")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert api.post("/api/inbound-messages/999999/retry/").status_code == 404


def test_api_retry_needs_a_write_key(ro_api, parked):
    assert ro_api.post(f"/api/inbound-messages/{parked.pk}/retry/").status_code == 403
    parked.refresh_from_db()
    assert parked.status == Status.FAILED
