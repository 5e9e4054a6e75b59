"""The outbox against the fake Graph API over real HTTP: sending, limits, retries, sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import tasks
from messaging.channel import outbox, sending
from messaging.exceptions import InvalidOutboundMessage
from messaging.models import Contact, OutboundMessage
from messaging.tests.conftest import PHONE_NUMBER_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


@pytest.fixture
def open_contact(contact: Contact) -> Contact:
    contact.last_inbound_at = timezone.now() - timedelta(hours=1)
    contact.save()
    return contact


def texts(fake) -> list[str]:
    return [p["text"]["body"] for p in fake.sent_payloads() if p["type"] == "text"]


def test_a_text_goes_out_with_the_bearer_token(fake_graph, contact, run_after_commit):
    [row] = run_after_commit(outbox.queue_text, contact, "Hola Ana")
    row.refresh_from_db()
    assert row.status == "sent"
    assert row.wa_message_id.startswith("wamid.FAKE")
    assert row.attempts == 1
    assert row.sent_at is not None
    [request] = fake_graph.message_requests()
    assert request.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["Authorization"] == "Bearer test-graph-token"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": contact.wa_id,
        "type": "text",
        "text": {"preview_url": False, "body": "Hola Ana"},
    }


def test_long_texts_are_split_and_sent_in_order(fake_graph, contact, run_after_commit):
    paragraphs = [f"Paragraph {i}: " + "palabra " * 300 for i in range(6)]
    text = "\n\n".join(paragraphs)
    rows = run_after_commit(outbox.queue_text, contact, text)
    assert len(rows) > 1
    sent = texts(fake_graph)
    assert len(sent) == len(rows)
    assert all(len(part) <= 4096 for part in sent)
    assert " ".join(" ".join(sent).split()) == " ".join(text.split())
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)


def test_buttons_and_lists_respect_the_limits(fake_graph, contact, run_after_commit):
    run_after_commit(
        outbox.queue_buttons,
        contact,
        "Pick one " * 200,
        [("a", "A very long button title indeed"), ("b", "Short"), ("c", "Third 🎟️🎟️🎟️🎟️🎟️🎟️🎟️🎟️🎟️")],
        header="Header " * 20,
        footer="Footer " * 20,
    )
    rows = [(f"r{i}", f"Row title number {i} is long", "description " * 10) for i in range(10)]
    run_after_commit(outbox.queue_list, contact, "Choose a raffle", "See all the raffles now", rows)
    assert OutboundMessage.objects.filter(status="sent").count() == 2
    buttons, listing = fake_graph.sent_payloads()
    titles = [b["reply"]["title"] for b in buttons["interactive"]["action"]["buttons"]]
    assert titles[0] == "A very long button…"
    assert all(len(t.encode("utf-16-le")) // 2 <= 20 for t in titles)
    assert len(buttons["interactive"]["body"]["text"]) <= 1024
    action = listing["interactive"]["action"]
    assert len(action["button"]) <= 20
    row = action["sections"][0]["rows"][0]
    assert len(row["title"]) <= 24
    assert len(row["description"]) <= 72


def test_structural_mistakes_are_refused_before_queueing(contact):
    with pytest.raises(InvalidOutboundMessage):
        outbox.queue_buttons(contact, "x", [("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")])
    with pytest.raises(InvalidOutboundMessage):
        outbox.queue_list(contact, "x", "menu", [(str(i), "t", "") for i in range(11)])
    with pytest.raises(InvalidOutboundMessage):
        outbox.queue_text(contact, "   ")
    assert not OutboundMessage.objects.exists()


def test_template_payload(fake_graph, contact, run_after_commit):
    run_after_commit(outbox.queue_template, contact, "raffle_update", "es_MX", ["line 1\nline 2"])
    [payload] = fake_graph.sent_payloads()
    assert payload["template"] == {
        "name": "raffle_update",
        "language": {"code": "es_MX"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "line 1 line 2"}]}],
    }


def test_notification_inside_the_window_is_plain_text(fake_graph, open_contact, run_after_commit):
    [row] = run_after_commit(outbox.queue_notification, open_contact, "Your order is paid")
    assert row.kind == "text"
    assert texts(fake_graph) == ["Your order is paid"]


def test_notification_outside_the_window_uses_the_template(
    fake_graph, contact, settings, run_after_commit
):
    settings.WHATSAPP_TEMPLATE_NAME = "raffle_update"
    [row] = run_after_commit(outbox.queue_notification, contact, "Your order is paid")
    row.refresh_from_db()
    assert (row.kind, row.status) == ("template", "sent")
    assert fake_graph.sent_payloads()[0]["template"]["name"] == "raffle_update"


def test_notification_outside_the_window_without_template_is_undeliverable(
    fake_graph, contact, settings, run_after_commit
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    [row] = run_after_commit(outbox.queue_notification, contact, "Your order is paid")
    row.refresh_from_db()
    assert row.status == "undeliverable"
    assert "24-hour" in row.last_error
    assert fake_graph.requests == []


def test_sandbox_records_sent_without_http(contact, settings, run_after_commit):
    settings.WHATSAPP_SANDBOX = True
    settings.WHATSAPP_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens: any HTTP would fail
    [row] = run_after_commit(outbox.queue_text, contact, "hola")
    row.refresh_from_db()
    assert row.status == "sent"
    assert row.wa_message_id.startswith("wamid.SANDBOX")


# --- retries ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "code"),
    [
        (429, 130429),
        (500, 131000),
        (503, 131016),
        (400, 131056),
        (400, 4),
        (400, 80007),
        (400, 130429),
        (502, None),
    ],
)
def test_transient_errors_are_retried(fake_graph, contact, run_after_commit, status, code):
    fake_graph.fail_next(2, status=status, code=code)
    [row] = run_after_commit(outbox.queue_text, contact, "retry me")
    row.refresh_from_db()
    assert row.status == "sent"
    assert row.attempts == 3
    assert len(fake_graph.message_requests()) == 3
    assert row.last_error == ""


@pytest.mark.parametrize("code", [131047, 131026, 100, 131051, 190, 131009])
def test_permanent_errors_fail_at_once_with_the_reason(fake_graph, contact, run_after_commit, code):
    fake_graph.fail_next(1, status=400, code=code, message=f"Meta says no ({code})")
    [row] = run_after_commit(outbox.queue_text, contact, "no retry")
    row.refresh_from_db()
    assert row.status == "failed"
    assert row.attempts == 1
    assert row.error_code == code
    assert f"Meta says no ({code})" in row.last_error
    assert row.failed_at is not None
    assert len(fake_graph.message_requests()) == 1


def test_gives_up_after_max_attempts(fake_graph, contact, settings, run_after_commit):
    settings.WHATSAPP_MAX_SEND_ATTEMPTS = 4
    fake_graph.fail_next(10, status=500)
    [row] = run_after_commit(outbox.queue_text, contact, "doomed")
    row.refresh_from_db()
    assert row.status == "failed"
    assert row.attempts == 4
    assert "Gave up after 4 attempts" in row.last_error
    assert len(fake_graph.message_requests()) == 4


def test_long_backoff_leaves_the_row_for_the_sweeper(
    fake_graph, contact, settings, run_after_commit
):
    settings.WHATSAPP_INLINE_RETRY_MAX_SECONDS = 0
    fake_graph.fail_next(1, status=429, retry_after=120)
    [row] = run_after_commit(outbox.queue_text, contact, "later")
    row.refresh_from_db()
    assert row.status == "queued"
    assert row.attempts == 1
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=100)  # Retry-After honoured
    assert "Rate limit" in row.last_error
    # Before it is due, the sweeper leaves it alone.
    run_after_commit(tasks.sweep, grace_seconds=0)
    assert len(fake_graph.message_requests()) == 1
    OutboundMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    run_after_commit(tasks.sweep, grace_seconds=0)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_backoff_grows_and_is_jittered(settings):
    settings.WHATSAPP_RETRY_BASE_SECONDS = 2.0
    delays = [sending.backoff_delay(n) for n in range(1, 9)]
    for attempt, delay in enumerate(delays, start=1):
        full = min(900.0, 2.0 * 2 ** (attempt - 1))
        assert full / 2 <= delay <= full
    assert len({round(sending.backoff_delay(3), 6) for _ in range(20)}) > 1
    assert sending.backoff_delay(1, retry_after=30) >= 30


# --- order, claims, sweeper -------------------------------------------------------------
def test_a_contacts_rows_go_out_in_order_even_with_retries(fake_graph, contact, run_after_commit):
    fake_graph.fail_next(2, status=500)

    def queue_three():
        for word in ("one", "two", "three"):
            outbox.queue_text(contact, word)

    run_after_commit(queue_three)
    assert texts(fake_graph) == ["one", "two", "three"]


def test_a_row_is_claimed_by_one_worker_only(contact):
    row = OutboundMessage.objects.create(contact=contact, to=contact.wa_id, kind="text", payload={})
    first = sending.claim(row.pk)
    assert first is not None
    assert sending.claim(row.pk) is None
    row.refresh_from_db()
    assert (row.status, row.claim_token, row.attempts) == ("sending", first, 1)


def test_the_sweeper_resends_a_half_sent_row(fake_graph, contact, run_after_commit):
    row = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={
            "messaging_product": "whatsapp",
            "to": contact.wa_id,
            "type": "text",
            "text": {"body": "half sent"},
        },
        status="sending",
        attempts=1,
        claim_token="dead-worker",
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    live = OutboundMessage.objects.create(
        contact=Contact.objects.create(wa_id="5215599999999"),
        to="5215599999999",
        kind="text",
        payload={
            "messaging_product": "whatsapp",
            "to": "5215599999999",
            "type": "text",
            "text": {"body": "being sent"},
        },
        status="sending",
        attempts=1,
        claim_token="live-worker",
        claimed_until=timezone.now() + timedelta(minutes=1),
    )
    run_after_commit(tasks.sweep, grace_seconds=0)
    row.refresh_from_db()
    live.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert live.status == "sending"  # a live claim is left alone
    assert texts(fake_graph) == ["half sent"]


def test_the_sweeper_sends_rows_whose_task_was_lost(fake_graph, contact, run_after_commit):
    row = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={
            "messaging_product": "whatsapp",
            "to": contact.wa_id,
            "type": "text",
            "text": {"body": "lost task"},
        },
        created_at=timezone.now() - timedelta(minutes=5),
    )
    run_after_commit(tasks.sweep)
    row.refresh_from_db()
    assert row.status == "sent"


def test_statuses_arriving_before_the_send_is_recorded_are_applied(fake_graph, contact):
    from messaging.channel.statuses import replay_statuses
    from messaging.models import MessageStatus

    row = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={},
        status="sent",
        wa_message_id="wamid.EARLY",
    )
    MessageStatus.objects.create(wa_message_id="wamid.EARLY", status="delivered", payload={})
    replay_statuses("wamid.EARLY")
    row.refresh_from_db()
    assert row.status == "delivered"


def test_sent_message_status_webhooks_update_the_row(
    fake_graph, contact, run_after_commit, post_webhook
):
    [row] = run_after_commit(outbox.queue_text, contact, "hola")
    row.refresh_from_db()
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "statuses": [
                                {
                                    "id": row.wa_message_id,
                                    "status": "read",
                                    "timestamp": "1717000000",
                                    "recipient_id": contact.wa_id,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    post_webhook(body)
    row.refresh_from_db()
    assert row.status == "read"


def test_tokens_never_reach_the_logs(fake_graph, contact, run_after_commit, caplog):
    fake_graph.fail_next(1, status=400, code=100)
    with caplog.at_level("DEBUG"):
        run_after_commit(outbox.queue_text, contact, "hola")
    assert "test-graph-token" not in caplog.text
    assert contact.wa_id not in caplog.text
    assert "52155*****78" in caplog.text
