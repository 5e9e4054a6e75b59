"""The webhook endpoint: handshake, signatures, storage, dedup, shapes, sizes."""

from __future__ import annotations

import json
import time

import pytest

from messaging.bot import handlers
from messaging.channel import shapes
from messaging.channel.signature import sign_body
from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    OutboundMessage,
    WebhookDelivery,
    WebhookEvent,
)
from messaging.testing.echo import ACKNOWLEDGEMENT
from messaging.tests.conftest import WEBHOOK_URL, all_fixture_names, fixture_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]

OWN_WA_ID = "5215512345678"


def text_body(wa_id: str = OWN_WA_ID, wamid: str = "wamid.T1", text: str = "hola", ts=None) -> dict:
    message = {
        "id": wamid,
        "timestamp": str(int(ts or time.time())),
        "type": "text",
        "text": {"body": text},
    }
    return shapes.inbound(wa_id, message, name="Ana")


# --- handshake ---------------------------------------------------------------------------
def test_verification_handshake_echoes_the_challenge(client):
    response = client.get(
        WEBHOOK_URL,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "test-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1"},
        {"hub.challenge": "1"},
        {},
    ],
)
def test_verification_handshake_refused(client, params):
    assert client.get(WEBHOOK_URL, params).status_code == 403


def test_other_methods_are_not_allowed(client):
    assert client.put(WEBHOOK_URL, data=b"{}").status_code == 405


# --- signature ---------------------------------------------------------------------------
def test_good_signature_is_accepted(post_webhook):
    response = post_webhook("message-text.json")
    assert response.status_code == 200
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=", "sha256=zz", "sha256=é"],
)
def test_bad_or_missing_signature_is_refused(post_webhook, signature):
    response = post_webhook("message-text.json", signature=signature)
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0
    assert not WebhookDelivery.objects.exists()  # counted, not stored (test_forgeries.py)


def test_signature_of_a_reserialised_body_is_refused(post_webhook):
    raw = fixture_bytes("message-text.json")
    reserialised = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    assert reserialised != raw
    assert post_webhook(reserialised, signature=sign_body(raw)).status_code == 403
    assert post_webhook(raw, signature=sign_body(reserialised)).status_code == 403


def test_signature_with_another_secret_is_refused(post_webhook):
    raw = fixture_bytes("message-text.json")
    assert post_webhook(raw, signature=sign_body(raw, "another-secret")).status_code == 403


def test_no_app_secret_refuses_everything(post_webhook, settings):
    settings.WHATSAPP_APP_SECRET = ""
    raw = fixture_bytes("message-text.json")
    assert post_webhook(raw, signature=sign_body(raw, "")).status_code == 403


# --- storage, dedup, replies ---------------------------------------------------------------
def test_a_text_is_stored_and_answered(post_webhook):
    assert post_webhook(text_body(text="quiero boletos")).status_code == 200
    message = InboundMessage.objects.get()
    assert message.text == "quiero boletos"
    assert message.status == InboundMessage.Status.PROCESSED
    contact = message.contact
    assert contact.wa_id == OWN_WA_ID
    assert contact.profile_name == "Ana"
    assert contact.buyer.phone == "+" + OWN_WA_ID
    assert contact.window_open
    kinds = list(contact.outbound_messages.values_list("kind", "status"))
    assert kinds == [("read", "sent"), ("text", "sent")]  # sandbox: recorded as sent
    reply = contact.outbound_messages.get(kind="text")
    assert reply.payload["text"]["body"] == ACKNOWLEDGEMENT
    assert reply.wa_message_id.startswith("wamid.SANDBOX")
    read = contact.outbound_messages.get(kind="read")
    assert read.payload == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.T1",
        "typing_indicator": {"type": "text"},
    }


def test_replaying_one_delivery_five_times_stores_one_message_and_one_reply(post_webhook):
    body = json.dumps(text_body()).encode()
    for _ in range(5):
        assert post_webhook(body).status_code == 200
    assert WebhookDelivery.objects.count() == 5
    assert InboundMessage.objects.count() == 1
    assert OutboundMessage.objects.filter(kind="text").count() == 1
    assert OutboundMessage.objects.filter(kind="read").count() == 1


def test_replayed_statuses_and_events_are_stored_once(post_webhook):
    for _ in range(3):
        post_webhook("message-status-failed.json")
        post_webhook("own-field-account-update.json")
    assert MessageStatus.objects.count() == 1
    assert WebhookEvent.objects.count() == 1


def test_a_batch_of_entries_messages_and_statuses(post_webhook):
    out = OutboundMessage.objects.create(
        contact=Contact.objects.create(wa_id="5215500000001"),
        to="5215500000001",
        kind="text",
        payload={},
        status="sent",
        wa_message_id="wamid.HBgNbatchout001",
    )
    assert post_webhook("own-batch-several-entries.json").status_code == 200
    assert InboundMessage.objects.count() == 4
    assert Contact.objects.count() == 3
    assert MessageStatus.objects.count() == 1
    assert WebhookEvent.objects.filter(kind="field:account_update").count() == 1
    out.refresh_from_db()
    assert out.status == "delivered"
    assert InboundMessage.objects.filter(status="processed").count() == 4
    uno = Contact.objects.get(wa_id="5215500000001")
    # Both texts of one contact got an answer, in order.
    assert uno.outbound_messages.filter(kind="text").exclude(pk=out.pk).count() == 2
    reads = list(uno.outbound_messages.filter(kind="read").values_list("payload", flat=True))
    assert [r["message_id"] for r in reads] == ["wamid.HBgNbatch001", "wamid.HBgNbatch002"]
    image = InboundMessage.objects.get(type="image")
    assert image.media_id == "2222000001"
    assert image.text == "comprobante"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.message_count, delivery.status_count, delivery.event_count) == (4, 1, 1)


@pytest.mark.parametrize("name", all_fixture_names())
def test_every_fixture_is_accepted_and_stored(post_webhook, name):
    response = post_webhook(name)
    assert response.status_code == 200, response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.STORED
    assert delivery.body == fixture_bytes(name).decode()
    stored = (
        InboundMessage.objects.count()
        + MessageStatus.objects.count()
        + WebhookEvent.objects.count()
    )
    assert stored >= 1
    assert not InboundMessage.objects.filter(status="failed").exists()
    assert not InboundMessage.objects.filter(status="received").exists()


def test_sample_shapes_are_parsed(post_webhook):
    post_webhook("callback-selection-callback.json")
    pick = InboundMessage.objects.get()
    assert (pick.type, pick.reply_id, pick.reply_title) == ("interactive", "callback_data", "title")
    post_webhook("callback-button-quick-reply.json")
    button = InboundMessage.objects.get(type="button")
    assert (button.reply_id, button.text) == ("callback_data", "title")
    assert button.context_message_id == "wamid.xyzxyz=="


def test_document_sample_keeps_media_info(post_webhook):
    post_webhook("message-document.json")
    doc = InboundMessage.objects.get()
    assert (doc.media_id, doc.media_mime, doc.media_filename) == (
        "1234567890987654321",
        "application/pdf",
        "filename.pdf",
    )
    assert doc.text == "caption"
    # Sandbox: only files registered by the simulator exist; Meta's ids are refused, and said so.
    assert doc.media_status == InboundMessage.MediaStatus.REFUSED
    assert doc.media_error


def test_unknown_types_reach_the_handler_and_are_only_marked_read(post_webhook):
    post_webhook("own-message-sticker.json")
    post_webhook("own-message-location.json")
    post_webhook("own-message-system.json")
    assert InboundMessage.objects.filter(status="processed").count() == 3
    assert not OutboundMessage.objects.filter(kind="text").exists()
    assert OutboundMessage.objects.filter(kind="read").count() == 2  # not the system notice


def test_system_message_does_not_open_the_window(post_webhook):
    post_webhook("own-message-system.json")
    assert Contact.objects.get().last_inbound_at is None


def test_statuses_out_of_order_never_move_backwards(post_webhook, contact):
    out = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={},
        status="sent",
        wa_message_id="wamid.HBgNooo001",
    )
    post_webhook("own-statuses-out-of-order.json")
    out.refresh_from_db()
    assert out.status == "read"  # read wins; the late "failed" and "sent" are recorded only
    assert out.read_at is not None
    assert out.delivered_at is not None
    assert MessageStatus.objects.filter(wa_message_id="wamid.HBgNooo001").count() == 4


def _status_body(wamid: str, status: str, ts: int, **extra) -> dict:
    event = {"id": wamid, "status": status, "timestamp": str(ts), "recipient_id": OWN_WA_ID}
    return shapes.delivery({"messaging_product": "whatsapp", "statuses": [{**event, **extra}]})


@pytest.mark.parametrize(
    ("sequence", "final"),
    [
        (["read", "delivered", "sent"], "read"),
        (["delivered", "sent"], "delivered"),
        (["sent", "failed"], "failed"),
        (["failed", "sent"], "failed"),
        (["failed", "delivered"], "delivered"),
        (["delivered", "failed"], "delivered"),
        (["read", "failed", "delivered"], "read"),
        (["played", "sent"], "sent"),
    ],
)
def test_status_sequences(post_webhook, contact, sequence, final):
    out = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={},
        status="sent",
        wa_message_id="wamid.SEQ",
    )
    for index, status in enumerate(sequence):
        extra = {}
        if status == "failed":
            extra = {"errors": [{"code": 131026, "title": "Message undeliverable"}]}
        assert (
            post_webhook(_status_body("wamid.SEQ", status, 1717000000 + index, **extra)).status_code
            == 200
        )
    out.refresh_from_db()
    assert out.status == final
    if final == "failed":
        assert out.error_code == 131026
        assert "undeliverable" in out.last_error


def test_status_for_an_unknown_message_is_stored(post_webhook):
    post_webhook("message-status-read.json")
    assert MessageStatus.objects.get().status == "read"


# --- bad bodies --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"\xff\xfe\x00garbage", b'{"a": NaN}', b"[" * 100000 + b"]" * 100000],
)
def test_malformed_json_with_a_valid_signature_is_400(post_webhook, raw, caplog):
    response = post_webhook(raw)
    assert response.status_code == 400
    assert "not valid JSON" in caplog.text
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.INVALID


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null", b'[{"object": 1}]'])
def test_json_that_is_not_an_object_is_400(post_webhook, raw):
    assert post_webhook(raw).status_code == 400
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.INVALID


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": "x"},
        {"object": "whatsapp_business_account", "entry": [1, None, {"changes": 3}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [None, 1, {"field": None}]}]},
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messages": [None, {"id": 5}, {"from": []}],
                                "statuses": [1, {"id": "x"}],
                                "contacts": [3],
                            },
                        }
                    ]
                }
            ],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messages": [
                                    {
                                        "from": "1",
                                        "id": "w1",
                                        "timestamp": "soon",
                                        "type": "image",
                                        "image": "nope",
                                    },
                                    {
                                        "from": "2",
                                        "id": "w2",
                                        "timestamp": 99999999999999,
                                        "type": {"a": 1},
                                    },
                                ]
                            },
                        }
                    ]
                }
            ],
        },
    ],
)
def test_odd_shapes_are_stored_and_acknowledged(post_webhook, data):
    assert post_webhook(data).status_code == 200
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.STORED


def test_nul_characters_and_lone_surrogates_are_stored(post_webhook):
    raw = json.dumps(text_body(text="a\u0000b\ud800c")).encode()
    assert post_webhook(raw).status_code == 200
    assert InboundMessage.objects.get().text == "a\ufffdb?c"


def test_bodies_over_3_mb_are_accepted(post_webhook):
    body = text_body()
    body["entry"][0]["changes"][0]["value"]["padding"] = "x" * (3 * 1024 * 1024 + 100)
    raw = json.dumps(body).encode()
    assert len(raw) > 3 * 1024 * 1024
    started = time.monotonic()
    assert post_webhook(raw).status_code == 200
    assert time.monotonic() - started < 10
    assert InboundMessage.objects.count() == 1
    assert WebhookDelivery.objects.get().size == len(raw)


def test_absurdly_large_bodies_get_413(post_webhook):
    raw = b'{"padding": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    assert post_webhook(raw).status_code == 413
    assert not WebhookDelivery.objects.exists()


# --- handler failures ----------------------------------------------------------------------
def test_a_failing_handler_marks_the_message_failed_and_apologises(post_webhook, monkeypatch):
    def broken(message):
        OutboundMessage.objects.create(
            contact=message.contact, to="x", kind="text", payload={"half": "done"}
        )
        raise RuntimeError("bot bug")

    monkeypatch.setattr(handlers, "handle_inbound", broken)
    assert post_webhook(text_body()).status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.FAILED
    assert "bot bug" in message.error
    # The handler's half-done work was rolled back; only the apology was queued.
    texts = list(OutboundMessage.objects.values_list("payload", flat=True))
    assert len(texts) == 1
    assert "Sorry" in texts[0]["text"]["body"]
    # A replay neither retries nor apologises again.
    assert post_webhook(text_body()).status_code == 200
    assert OutboundMessage.objects.count() == 1


def test_storage_failure_asks_meta_to_retry(post_webhook, monkeypatch):
    """Only an outage (the database unavailable) answers 503; a broken item is parked."""
    from django.db import OperationalError

    from messaging.channel import inbound

    def explode(*args, **kwargs):
        raise OperationalError("database on fire")

    monkeypatch.setattr(inbound, "_store", explode)
    assert post_webhook(text_body()).status_code == 503
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.body  # the raw body is kept


# --- query counts ------------------------------------------------------------------------------
# A text from a new contact, up to the message stored (the delivery, the contact and its
# buyer, inserted with the time it opened the service window, the message, the events); the
# handling runs after commit (test_processing.py counts a bot turn). A change here is a change
# on the hot path: look at the queries before updating it.
WEBHOOK_QUERIES = 13


def test_a_webhook_post_stores_a_message_in_a_known_number_of_queries(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from messaging.tests.conftest import WEBHOOK_URL

    raw = json.dumps(text_body()).encode()
    with (
        django_capture_on_commit_callbacks(execute=False),
        django_assert_num_queries(WEBHOOK_QUERIES),
    ):
        response = client.post(
            WEBHOOK_URL,
            data=raw,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign_body(raw),
        )
    assert response.status_code == 200
    assert InboundMessage.objects.get().status == InboundMessage.Status.RECEIVED
