"""Usernames and business-scoped user ids (BSUIDs): senders with no phone, identity changes,
and a poison item that must not block the items delivered beside it. Runs on both databases."""

from __future__ import annotations

import time
from typing import Any

import pytest

from messaging import shapes
from messaging.models import InboundMessage
from raffles.models import Buyer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]

BSUID = "US.13491208655302741918"
PHONE = "5215512345678"


def _message(wamid: str, text: str = "hola", **sender: str) -> dict[str, Any]:
    return {
        **sender,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }


def _value(messages: list[dict[str, Any]], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    return shapes.delivery(
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "1122334455667"},
            "contacts": contacts,
            "messages": messages,
        }
    )


def test_a_bsuid_in_from_does_not_block_the_batch(post_webhook):
    """Meta's long ids once reached the phone column: on PostgreSQL the whole batch got 503."""
    body = _value(
        [
            _message("wamid.good1", **{"from": PHONE}),
            _message("wamid.long", **{"from": BSUID}),
            _message("wamid.good2", **{"from": "5215599998888"}),
        ],
        [
            {"profile": {"name": "Ana"}, "wa_id": PHONE},
            {"profile": {"name": "Long"}, "wa_id": BSUID},
            {"profile": {"name": "Bea"}, "wa_id": "5215599998888"},
        ],
    )
    response = post_webhook(body)
    assert response.status_code == 200, response.content
    assert InboundMessage.objects.count() == 3
    long = InboundMessage.objects.get(wa_message_id="wamid.long").contact
    assert long.user_id == BSUID
    assert long.wa_id == ""
    # A BSUID is never a phone number.
    assert not Buyer.objects.filter(phone__contains="US").exists()
    assert long.buyer is not None and long.buyer.phone is None


def test_the_hot_path_costs_the_same_for_a_known_phone_sender(post_webhook, monkeypatch):
    """Webhook → stored for a sender known by phone: the query count BSUID support must keep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from messaging import inbound

    monkeypatch.setattr(inbound, "_enqueue", lambda result: None)  # only the storing path
    post_webhook(_value([_message("wamid.first", **{"from": PHONE})], [{"wa_id": PHONE}]))
    body = _value(
        [_message("wamid.second", **{"from": PHONE})],
        [{"profile": {"name": ""}, "wa_id": PHONE}],
    )
    with CaptureQueriesContext(connection) as queries:
        assert post_webhook(body).status_code == 200
    assert len(queries.captured_queries) == HOT_PATH_QUERIES, [
        q["sql"][:120] for q in queries.captured_queries
    ]


HOT_PATH_QUERIES = 7  # two reads, BEGIN, delivery, messages, window, COMMIT
