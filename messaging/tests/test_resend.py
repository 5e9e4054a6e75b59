"""Staff re-send failed outbound messages: the service, the API, the management command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from messaging.channel import resend
from messaging.exceptions import NotResendable
from messaging.models import Contact, OutboundMessage
from raffles.models import OrderEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


def _row(contact: Contact, body: str, *, status: str = "failed", kind: str = "text", **extra):
    payload = (
        {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"}
        if kind == "read"
        else {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": contact.wa_id,
            "type": "text",
            "text": {"preview_url": False, "body": body},
        }
    )
    fields = {
        "attempts": 8,
        "last_error": "Gave up after 8 attempts: HTTP 500",
        "failed_at": timezone.now(),
        **extra,
    }
    return OutboundMessage.objects.create(
        contact=contact, to=contact.wa_id, kind=kind, payload=payload, status=status, **fields
    )


def texts(fake) -> list[str]:
    return [p["text"]["body"] for p in fake.sent_payloads() if p["type"] == "text"]


# --- the service ------------------------------------------------------------------------
def test_a_failed_row_is_resent_once_and_audited(fake_graph, contact, staff_user, run_after_commit):
    row = _row(contact, "your numbers")
    run_after_commit(resend.resend_message, row.pk, by=staff_user, via="portal")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.resent_at is not None
    assert texts(fake_graph) == ["your numbers"]
    event = OrderEvent.objects.get(kind="outbox_resent")
    assert event.actor_user == staff_user
    assert event.details["outbound"] == row.pk
    assert event.details["previous_status"] == "failed"
    assert event.details["via"] == "portal"
    # Re-sending again is refused: it is sent now.
    with pytest.raises(NotResendable):
        resend.resend_message(row.pk, by=staff_user)
    assert texts(fake_graph) == ["your numbers"]


def test_read_receipts_and_live_rows_are_not_resent(contact, staff_user):
    read = _row(contact, "", kind="read", status="dropped")
    sent = _row(contact, "done", status="sent")
    for row in (read, sent):
        with pytest.raises(NotResendable):
            resend.resend_message(row.pk, by=staff_user)
    with pytest.raises(NotResendable):
        resend.resend_message(999_999, by=staff_user)
    assert not OrderEvent.objects.filter(kind="outbox_resent").exists()


def test_the_problem_list_shows_failing_failed_undeliverable_and_dropped(contact):
    failed = _row(contact, "a")
    undeliverable = _row(contact, "b", status="undeliverable")
    dropped = _row(contact, "", kind="read", status="dropped")
    retrying = _row(contact, "c", status="queued")
    _row(contact, "d", status="sent", last_error="")
    fresh = OutboundMessage.objects.create(
        contact=contact, to=contact.wa_id, kind="text", payload={}
    )
    shown = set(resend.troubled_messages().values_list("pk", flat=True))
    assert shown == {failed.pk, undeliverable.pk, dropped.pk, retrying.pk}
    assert fresh.pk not in shown


# --- the API ----------------------------------------------------------------------------
def test_the_api_lists_problems_and_resends(
    api, ro_api, fake_graph, contact, django_capture_on_commit_callbacks
):
    failed = _row(contact, "from the api")
    _row(contact, "", kind="read", status="dropped")
    response = api.get("/api/outbox/problems/?status=failed")
    assert response.status_code == 200, response.content
    [item] = response.json()["items"]
    assert item["id"] == failed.pk
    assert item["text"] == "from the api"
    assert item["attempts"] == 8
    assert "HTTP 500" in item["last_error"]
    assert item["next_attempt_at"] is None
    assert api.get("/api/outbox/problems/").json()["count"] == 2

    assert ro_api.post(f"/api/outbox/{failed.pk}/resend/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/outbox/{failed.pk}/resend/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "queued"  # sent after the commit
    assert OutboundMessage.objects.get(pk=failed.pk).status == "sent"
    assert texts(fake_graph) == ["from the api"]
    event = OrderEvent.objects.get(kind="outbox_resent")
    assert event.actor_type == "api"
    again = api.post(f"/api/outbox/{failed.pk}/resend/")
    assert again.status_code == 409
    assert again.json()["code"] == "not_resendable"
    assert api.post("/api/outbox/999999/resend/").status_code == 404


def test_the_api_filters_by_time(api, contact):
    old = _row(contact, "old")
    OutboundMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    new = _row(contact, "new")
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.get("/api/outbox/problems/", {"since": since})
    assert [i["id"] for i in response.json()["items"]] == [new.pk]
    response = api.get("/api/outbox/problems/", {"until": since})
    assert [i["id"] for i in response.json()["items"]] == [old.pk]


# --- the command ------------------------------------------------------------------------
def test_the_command_resends_a_time_range(fake_graph, contact, staff_user, run_after_commit):
    now = timezone.now()
    rows = [_row(contact, f"row {n}") for n in range(3)]
    OutboundMessage.objects.filter(pk=rows[0].pk).update(created_at=now - timedelta(days=2))
    undeliverable = _row(contact, "window", status="undeliverable")
    _row(contact, "", kind="read", status="failed")
    since = (now - timedelta(hours=1)).isoformat()

    out = StringIO()
    call_command("resend_outbox", "--since", since, "--dry-run", stdout=out)
    assert "3 message(s) would be re-sent" in out.getvalue()
    assert fake_graph.requests == []
    assert OutboundMessage.objects.filter(status="failed").count() == 4

    out = StringIO()
    run_after_commit(
        call_command,
        "resend_outbox",
        "--since",
        since,
        "--by",
        staff_user.get_username(),
        stdout=out,
    )
    assert "3 message(s) re-sent" in out.getvalue()
    assert texts(fake_graph) == ["row 1", "row 2", "window"]
    assert OutboundMessage.objects.get(pk=undeliverable.pk).status == "sent"
    assert OutboundMessage.objects.get(pk=rows[0].pk).status == "failed"  # out of range
    events = OrderEvent.objects.filter(kind="outbox_resent")
    assert {e.actor_user for e in events} == {staff_user}
    assert {e.details["via"] for e in events} == {"command"}
    # Running it again finds nothing left to re-send.
    out = StringIO()
    run_after_commit(call_command, "resend_outbox", "--since", since, stdout=out)
    assert "0 message(s) re-sent" in out.getvalue()


def test_the_command_refuses_bad_input(contact):
    with pytest.raises(CommandError):
        call_command("resend_outbox", "--since", "yesterday")
    with pytest.raises(CommandError):
        call_command("resend_outbox", "--since", "2026-12-02", "--until", "2026-12-01")
    with pytest.raises(CommandError):
        call_command("resend_outbox", "--since", "2026-12-01", "--by", "nobody")
