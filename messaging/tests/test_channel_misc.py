"""Small pieces: phone masking, the sweeper schedule, the Graph client, the fake's controls."""

from __future__ import annotations

import logging

import pytest
import requests

from messaging.apps import ensure_sweep_schedule
from messaging.channel import payloads
from messaging.channel.graph import GraphClient
from messaging.channel.logutils import mask_phone
from messaging.channel.webhook_parsing import parse_webhook
from messaging.exceptions import GraphError
from messaging.tests.conftest import PHONE_NUMBER_ID, all_fixture_names, fixture_json


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("5215512345678", "52155*****78"),
        ("+5215512345678", "+52155*****78"),
        ("972987654321", "97298*****21"),
        ("123456", "12*****56"),
        ("123", "*****"),
        ("", "-"),
        (None, "-"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.django_db
@pytest.mark.usefixtures("echo_handler")
def test_logs_never_show_a_whole_phone_number(post_webhook, caplog):
    with caplog.at_level(logging.DEBUG, logger="messaging"):
        post_webhook("own-batch-several-entries.json")
    assert "whatsapp" in caplog.text
    for wa_id in ("5215500000001", "5215500000002", "5215500000003"):
        assert wa_id not in caplog.text


@pytest.mark.django_db
def test_the_sweep_schedule_exists_once():
    from django_q.models import Schedule

    ensure_sweep_schedule()
    ensure_sweep_schedule()
    schedule = Schedule.objects.get(func="messaging.tasks.sweep")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)


@pytest.mark.parametrize("name", all_fixture_names())
def test_parsing_never_raises(name):
    batch = parse_webhook(fixture_json(name))
    assert batch.messages or batch.statuses or batch.events


def test_graph_client_parses_meta_errors(fake_graph):
    fake_graph.fail_next(1, status=400, code=131047, message="Re-engagement message")
    client = GraphClient()
    with pytest.raises(GraphError) as info:
        client.send(payloads.text("5215512345678", "hola")[0])
    error = info.value
    assert (error.http_status, error.error_code, error.retryable) == (400, 131047, False)
    assert error.fbtrace_id.startswith("Fake")
    assert "131047" in error.describe()
    assert "test-graph-token" not in repr(client)


def test_graph_client_unreachable_is_retryable(settings):
    settings.WHATSAPP_API_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(GraphError) as info:
        GraphClient(token="t", phone_number_id="1").send(payloads.mark_read("wamid.1"))
    assert info.value.retryable


def test_graph_client_helpers_talk_to_the_fake(fake_graph):
    client = GraphClient()
    assert client.send(payloads.mark_read("wamid.1")).wa_message_id == ""
    assert client.send(payloads.buttons("1", "Pick", [("a", "A")])).wa_message_id.startswith(
        "wamid."
    )
    assert client.send(payloads.list_message("1", "Pick", "Open", [("", [("a", "A", "")])]))
    assert client.send(payloads.template("1", "hello_world", "en_US")).wa_message_id
    assert client.send(payloads.media("1", "image", link="https://x/y.jpg")).wa_message_id
    parts = [client.send(p) for p in payloads.text("1", "x" * 5000)]
    assert [len(r.response["messages"]) for r in parts] == [1, 1]


def test_graph_rules_the_token(fake_graph):
    response = requests.post(
        f"{fake_graph.base_url}/v21.0/{PHONE_NUMBER_ID}/messages",
        json={"messaging_product": "whatsapp", "to": "1", "type": "text", "text": {"body": "x"}},
        headers={"Authorization": "Bearer wrong"},
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 190


def test_fake_rejects_what_meta_rejects(fake_graph):
    response = requests.post(
        f"{fake_graph.base_url}/v21.0/{PHONE_NUMBER_ID}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": "1",
            "type": "text",
            "text": {"body": "x" * 4097},
        },
        headers={"Authorization": f"Bearer {fake_graph.token}"},
        timeout=5,
    )
    assert response.status_code == 400


def test_fake_control_endpoints(fake_graph):
    base = fake_graph.base_url
    assert requests.post(f"{base}/_fake/fail", json={"count": 1, "status": 429}, timeout=5).ok
    assert requests.post(f"{base}/_fake/delay", json={"seconds": 0.2}, timeout=5).ok
    client = GraphClient()
    with pytest.raises(GraphError) as info:
        client.send(payloads.text("1", "x")[0])
    assert info.value.error_code == 130429
    assert info.value.retryable
    assert client.send(payloads.text("1", "y")[0]).wa_message_id
    log = requests.get(f"{base}/_fake/requests", timeout=5).json()
    assert [entry["status"] for entry in log] == [429, 200]
    assert log[1]["json"]["text"]["body"] == "y"
    assert log[1]["at"] - log[0]["at"] >= 0.2
    assert requests.post(
        f"{base}/_fake/media",
        json={"media_id": "m9", "content_base64": "JVBERi0xLjQK", "mime_type": "application/pdf"},
        timeout=5,
    ).ok
    assert client.media_info("m9").mime_type == "application/pdf"
    assert requests.post(f"{base}/_fake/reset", timeout=5).ok
    assert requests.get(f"{base}/_fake/requests", timeout=5).json() == []
