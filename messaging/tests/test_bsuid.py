"""Usernames and business-scoped user ids (BSUIDs): senders with no phone, identity changes,
and a poison item that must not block the items delivered beside it. Runs on both databases."""

from __future__ import annotations

import time
from typing import Any

import pytest

from messaging.channel import inbound, shapes
from messaging.channel.logutils import mask_phone
from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    OutboundMessage,
    WebhookDelivery,
    WebhookEvent,
)
from messaging.tests.conftest import fixture_json
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
    assert long.buyer is not None
    assert long.buyer.phone is None


def test_the_hot_path_costs_the_same_for_a_known_phone_sender(post_webhook, monkeypatch):
    """Webhook → stored for a sender known by phone: the query count BSUID support must keep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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


# --- a buyer with no phone number ---------------------------------------------------------
def test_a_buyer_known_only_by_bsuid_is_stored_processed_and_answered(post_webhook, fake_graph):
    assert post_webhook("own-bsuid-message-no-phone.json").status_code == 200
    contact = Contact.objects.get()
    assert (contact.wa_id, contact.user_id, contact.username) == ("", BSUID, "dani_sorteos")
    assert contact.profile_name == "Dani"
    assert str(contact) == "Dani"
    assert InboundMessage.objects.get().status == InboundMessage.Status.PROCESSED
    assert contact.buyer.phone is None
    assert contact.buyer.name == "Dani"
    assert str(contact.buyer) == f"Dani (#{contact.buyer.pk})"
    # Answered the way Meta documents for a BSUID: `recipient`, no `to`.
    sent = [p for p in fake_graph.sent_payloads() if p.get("type") == "text"]
    assert len(sent) == 1
    assert sent[0]["recipient"] == BSUID
    assert "to" not in sent[0]
    reply = OutboundMessage.objects.get(kind="text")
    assert reply.to == BSUID
    assert reply.status == OutboundMessage.Status.SENT


def test_a_phone_buyer_who_shows_a_bsuid_stays_the_same_buyer(post_webhook):
    post_webhook(_value([_message("wamid.p1", **{"from": PHONE})], [{"wa_id": PHONE}]))
    before = Contact.objects.get()
    buyer = before.buyer
    assert buyer.phone == "+" + PHONE
    # Meta starts sending the BSUID beside the number...
    post_webhook(
        _value(
            [_message("wamid.p2", **{"from": PHONE, "from_user_id": BSUID})],
            [{"profile": {"name": "Ana", "username": "ana"}, "wa_id": PHONE, "user_id": BSUID}],
        )
    )
    # ...then the buyer adopts a username and the number is no longer sent.
    post_webhook(
        _value(
            [_message("wamid.p3", from_user_id=BSUID)],
            [{"profile": {"name": "Ana", "username": "ana"}, "user_id": BSUID}],
        )
    )
    contact = Contact.objects.get()
    assert contact.pk == before.pk
    assert (contact.wa_id, contact.user_id, contact.username) == (PHONE, BSUID, "ana")
    assert contact.buyer_id == buyer.pk
    assert Buyer.objects.count() == 1
    assert InboundMessage.objects.filter(contact=contact).count() == 3
    # Meta prefers sends to the phone number while we know it.
    assert contact.send_to == PHONE


def test_a_bsuid_buyer_who_shares_the_number_gets_it(post_webhook):
    post_webhook("own-bsuid-message-no-phone.json")
    post_webhook(
        _value(
            [_message("wamid.later", **{"from": PHONE, "from_user_id": BSUID})],
            [{"profile": {"name": "Dani"}, "wa_id": PHONE, "user_id": BSUID}],
        )
    )
    contact = Contact.objects.get()
    assert contact.wa_id == PHONE
    assert Buyer.objects.get().phone == "+" + PHONE


def test_ids_are_never_taken_from_another_contact(post_webhook):
    post_webhook(_value([_message("wamid.a", **{"from": PHONE})], [{"wa_id": PHONE}]))
    post_webhook(_value([_message("wamid.b", from_user_id=BSUID)], [{"user_id": BSUID}]))
    # Both ids in one message: matched by BSUID, the phone stays with its own contact.
    post_webhook(
        _value(
            [_message("wamid.c", **{"from": PHONE, "from_user_id": BSUID})],
            [{"wa_id": PHONE, "user_id": BSUID}],
        )
    )
    by_phone = Contact.objects.get(wa_id=PHONE)
    by_bsuid = Contact.objects.get(user_id=BSUID)
    assert by_phone.pk != by_bsuid.pk
    assert by_bsuid.wa_id == ""
    assert InboundMessage.objects.get(wa_message_id="wamid.c").contact == by_bsuid


# --- identity changes -----------------------------------------------------------------------
def test_a_changed_number_moves_the_contact_and_its_buyer(post_webhook):
    post_webhook("own-bsuid-contact-username.json")
    contact = Contact.objects.get()
    assert (contact.wa_id, contact.username) == ("5215544443333", "carla.rifas")
    assert post_webhook("own-bsuid-system-changed-number.json").status_code == 200
    contact.refresh_from_db()
    assert contact.wa_id == "5215566667777"
    assert contact.user_id == "MX.20394857610293847561"
    assert contact.buyer.phone == "+5215566667777"
    # The next message, from the new number, is the same buyer: no stranger.
    post_webhook(
        _value(
            [_message("wamid.new", **{"from": "5215566667777"})],
            [{"profile": {"name": "Carla Ruiz"}, "wa_id": "5215566667777"}],
        )
    )
    assert Contact.objects.count() == 1
    assert Buyer.objects.count() == 1
    system = InboundMessage.objects.get(type="system")
    assert system.contact == contact
    # Replayed, the change is a no-op.
    assert post_webhook("own-bsuid-system-changed-number.json").status_code == 200
    assert Contact.objects.get().wa_id == "5215566667777"


def test_a_changed_user_id_moves_the_contact(post_webhook):
    post_webhook("own-bsuid-message-no-phone.json")
    contact = Contact.objects.get()
    assert post_webhook("own-bsuid-system-changed-user-id.json").status_code == 200
    contact.refresh_from_db()
    assert contact.user_id == "US.55501928374650192837"
    assert InboundMessage.objects.get(type="system").contact == contact
    post_webhook(
        _value(
            [_message("wamid.after", from_user_id="US.55501928374650192837")],
            [{"user_id": "US.55501928374650192837"}],
        )
    )
    assert Contact.objects.count() == 1
    assert Buyer.objects.count() == 1


def test_user_id_update_moves_the_contact(post_webhook):
    post_webhook("own-bsuid-contact-username.json")
    assert post_webhook("own-bsuid-user-id-update.json").status_code == 200
    contact = Contact.objects.get()
    assert contact.user_id == "MX.20394857610293847561"
    assert contact.wa_id == "5215566667777"
    assert WebhookEvent.objects.filter(kind="field:user_id_update").count() == 1


def test_a_change_for_someone_we_never_met_creates_them_with_the_new_ids(post_webhook):
    post_webhook("own-bsuid-system-changed-user-id.json")
    contact = Contact.objects.get()
    assert contact.user_id == "US.55501928374650192837"


# --- statuses ---------------------------------------------------------------------------
def test_statuses_for_a_bsuid_recipient_move_the_outbox_row(post_webhook):
    post_webhook("own-bsuid-message-no-phone.json")
    contact = Contact.objects.get()
    OutboundMessage.objects.create(
        contact=contact,
        to=BSUID,
        kind="text",
        payload={},
        status="sent",
        wa_message_id="wamid.HBgNbsuidout01",
    )
    assert post_webhook("own-bsuid-statuses.json").status_code == 200
    assert MessageStatus.objects.count() == 4
    assert set(MessageStatus.objects.values_list("recipient_id", flat=True)) == {BSUID}
    assert OutboundMessage.objects.get(wa_message_id="wamid.HBgNbsuidout01").status == "read"
    failed = MessageStatus.objects.get(status="failed")
    assert failed.error_code == 131062


def test_mask_phone_hides_a_bsuid():
    assert mask_phone(BSUID) == "US.13*****18"
    assert BSUID[5:-2] not in mask_phone(BSUID)
    assert mask_phone("5215512345678") == "52155*****78"


# --- a poison item never blocks the others ------------------------------------------------
def test_an_item_that_cannot_be_stored_is_parked_and_the_rest_stored(post_webhook, monkeypatch):
    real_row = inbound._row

    def row(delivery, contact, message):
        if message.wa_message_id == "wamid.poison":
            raise ValueError("cannot store this one")
        return real_row(delivery, contact, message)

    monkeypatch.setattr(inbound, "_row", row)
    body = _value(
        [
            _message("wamid.ok1", **{"from": PHONE}),
            _message("wamid.poison", **{"from": PHONE}),
            _message("wamid.ok2", **{"from": "5215599998888"}),
        ],
        [{"wa_id": PHONE}, {"wa_id": "5215599998888"}],
    )
    body["entry"][0]["changes"][0]["value"]["statuses"] = [
        {"id": "wamid.out", "status": "sent", "timestamp": "1717000000", "recipient_id": PHONE}
    ]
    response = post_webhook(body)
    assert response.status_code == 200
    stored = set(InboundMessage.objects.values_list("wa_message_id", flat=True))
    assert stored == {"wamid.ok1", "wamid.ok2"}
    assert MessageStatus.objects.count() == 1
    parked = WebhookEvent.objects.get(kind="parked:message")
    assert parked.payload["item"]["id"] == "wamid.poison"
    assert "cannot store this one" in parked.payload["error"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.STORED
    assert "1 parked" in delivery.error
    # The good ones were processed (answered) like any other.
    assert not InboundMessage.objects.exclude(status=InboundMessage.Status.PROCESSED).exists()
    # Meta's retry of the same delivery parks nothing twice and stores nothing twice.
    assert post_webhook(body).status_code == 200
    assert WebhookEvent.objects.filter(kind="parked:message").count() == 1
    assert InboundMessage.objects.count() == 2


def test_an_outage_while_storing_item_by_item_is_still_a_503(post_webhook, monkeypatch):
    from django.db import OperationalError

    calls = {"n": 0}
    real_store = inbound._store

    def store(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("one bad item")
        raise OperationalError("database is locked")

    monkeypatch.setattr(inbound, "_store", store)
    body = _value([_message("wamid.x", **{"from": PHONE})], [{"wa_id": PHONE}])
    assert post_webhook(body).status_code == 503
    assert not InboundMessage.objects.exists()
    assert not WebhookEvent.objects.filter(kind__startswith="parked:").exists()
    monkeypatch.setattr(inbound, "_store", real_store)
    assert post_webhook(body).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_every_bsuid_fixture_names_no_phone_in_a_buyer(post_webhook):
    for name in (
        "own-bsuid-contact-username.json",
        "own-bsuid-message-no-phone.json",
        "own-bsuid-statuses.json",
        "own-bsuid-system-changed-number.json",
        "own-bsuid-system-changed-user-id.json",
        "own-bsuid-user-id-update.json",
    ):
        assert post_webhook(fixture_json(name)).status_code == 200, name
    assert not Buyer.objects.filter(phone__contains=".").exists()


# --- the fake Graph API addresses a BSUID the way Meta does --------------------------------
@pytest.mark.parametrize(
    ("address", "status", "contact"),
    [
        ({"recipient": BSUID}, 200, {"input": BSUID, "user_id": BSUID}),
        ({"to": PHONE, "recipient": BSUID}, 200, {"input": PHONE, "wa_id": PHONE}),  # to wins
        ({}, 400, None),
    ],
)
def test_fake_graph_accepts_a_recipient(fake_graph, address, status, contact):
    import requests

    from messaging.tests.conftest import PHONE_NUMBER_ID

    response = requests.post(
        f"{fake_graph.base_url}/v21.0/{PHONE_NUMBER_ID}/messages",
        json={"messaging_product": "whatsapp", **address, "type": "text", "text": {"body": "x"}},
        headers={"Authorization": f"Bearer {fake_graph.token}"},
        timeout=5,
    )
    assert response.status_code == status
    if contact:
        assert response.json()["contacts"] == [contact]


def test_payloads_address_a_bsuid_with_recipient():
    from messaging.channel import payloads

    assert payloads.text(BSUID, "hi")[0]["recipient"] == BSUID
    assert "to" not in payloads.text(BSUID, "hi")[0]
    assert payloads.text(PHONE, "hi")[0]["to"] == PHONE
    assert "recipient" not in payloads.template(PHONE, "t", "en")


# --- parsing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("wa_id", "user_id", "expected"),
    [
        (PHONE, "", (PHONE, "")),
        (BSUID, "", ("", BSUID)),  # a BSUID in a phone field is a BSUID
        (PHONE, BSUID, (PHONE, BSUID)),
        ("+52 155", "", ("", "")),  # not Meta's digits-only id
        ("1" * 40, "", ("", "")),  # too long to be one
        (None, "US.ENT.11815799212886844830", ("", "US.ENT.11815799212886844830")),
    ],
)
def test_split_identity(wa_id, user_id, expected):
    from messaging.channel.webhook_parsing import split_identity

    assert split_identity(wa_id, user_id) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (  # the number changed; Meta names the new BSUID
            {
                "from": PHONE,
                "system": {"type": "user_changed_number", "wa_id": "5215511112222"},
            },
            (PHONE, "", "5215511112222", ""),
        ),
        (  # the BSUID changed; the old one only in the body
            {
                "system": {
                    "type": "user_changed_user_id",
                    "user_id": "US.999",
                    "body": f"User Dani changed from {BSUID} to US.999",
                }
            },
            ("", BSUID, "", "US.999"),
        ),
        (  # the BSUID changed; the old one named, the number kept
            {
                "from": PHONE,
                "system": {
                    "type": "user_changed_user_id",
                    "previous_user_id": BSUID,
                    "user_id": "US.999",
                },
            },
            (PHONE, BSUID, PHONE, "US.999"),
        ),
        ({"from": PHONE, "system": {"type": "customer_identity_changed"}}, None),
    ],
)
def test_identity_changes_are_read_from_system_messages(message, expected):
    from messaging.channel.webhook_parsing import parse_webhook

    body = _value([{"id": "wamid.s", "timestamp": "1", "type": "system", **message}], [])
    parsed = parse_webhook(body).messages[0]
    change = parsed.identity_change
    got = None if change is None else tuple(vars(change).values())
    assert got == expected
    assert (parsed.from_wa_id, parsed.from_user_id) != ("", "")


def test_a_database_error_on_one_item_is_parked_on_both_databases(post_webhook, monkeypatch):
    """A real constraint violation mid-transaction (PostgreSQL aborts the transaction): the
    savepoint of that item rolls back alone, the others are stored."""
    from messaging.channel import identity

    real_create = identity._create

    def create(wa_id, user_id, info, opened_at=None):
        if user_id == "US.POISON1":
            return Contact.objects.create(wa_id="", user_id=""), True  # violates contact_has_an_id
        return real_create(wa_id, user_id, info, opened_at)

    monkeypatch.setattr(identity, "_create", create)
    body = _value(
        [
            _message("wamid.before", **{"from": PHONE}),
            _message("wamid.bad", from_user_id="US.POISON1"),
            _message("wamid.after", from_user_id=BSUID),
        ],
        [{"wa_id": PHONE}, {"user_id": "US.POISON1"}, {"user_id": BSUID}],
    )
    assert post_webhook(body).status_code == 200
    stored = set(InboundMessage.objects.values_list("wa_message_id", flat=True))
    assert stored == {"wamid.before", "wamid.after"}
    parked = WebhookEvent.objects.get(kind="parked:message")
    assert parked.payload["item"]["id"] == "wamid.bad"
    assert "IntegrityError" in parked.payload["error"]
