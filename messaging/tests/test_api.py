"""/api/contacts/…: contacts, their conversation and orders, pausing the bot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Contact, InboundMessage, OutboundMessage
from raffles import services
from raffles.models import OrderEvent
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def contact(db):
    buyer = BuyerFactory(phone="+5215512345678", name="Ana")
    return Contact.objects.create(
        wa_id="5215512345678",
        profile_name="Ana",
        buyer=buyer,
        last_inbound_at=timezone.now(),
    )


@pytest.fixture
def conversation(contact):
    """in (t0), out (t1), out read receipt (hidden), in without Meta timestamp (t3)."""
    t0 = timezone.now() - timedelta(minutes=10)
    first = InboundMessage.objects.create(
        wa_message_id="wamid.1", contact=contact, type="text", text="Hola", timestamp=t0
    )
    reply = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind=OutboundMessage.Kind.TEXT,
        payload={"type": "text", "text": {"body": "¡Bienvenida!"}},
        status=OutboundMessage.Status.SENT,
        wa_message_id="wamid.out1",
        created_at=t0 + timedelta(minutes=1),
    )
    OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind=OutboundMessage.Kind.READ,
        payload={"status": "read", "message_id": "wamid.1"},
        created_at=t0 + timedelta(minutes=2),
    )
    buttons = OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind=OutboundMessage.Kind.BUTTONS,
        payload={"type": "interactive", "interactive": {"body": {"text": "¿Cuántos?"}}},
        created_at=t0 + timedelta(minutes=3),
    )
    last = InboundMessage.objects.create(
        wa_message_id="wamid.2",
        contact=contact,
        type="interactive",
        reply_title="Dos",
        timestamp=None,
        received_at=t0 + timedelta(minutes=4),
    )
    return first, reply, buttons, last


def test_list_contacts(api, contact):
    quiet = Contact.objects.create(wa_id="5215500000001", profile_name="Beto")
    paused = Contact.objects.create(
        wa_id="5215500000002",
        profile_name="Caro",
        bot_paused=True,
        wants_agent=True,
        last_inbound_at=timezone.now() - timedelta(days=1),
    )

    response = api.get("/api/contacts/")

    assert ids(response) == [contact.pk, paused.pk, quiet.pk]  # most recently active first
    item = response.json()["items"][0]
    assert item["buyer_id"] == contact.buyer_id
    assert item["buyer"]["phone"] == "+5215512345678"
    assert item["window_open"] is True
    assert ids(api.get("/api/contacts/?bot_paused=true")) == [paused.pk]
    assert ids(api.get("/api/contacts/?wants_agent=false")) == [contact.pk, quiet.pk]
    assert ids(api.get("/api/contacts/?q=bet")) == [quiet.pk]
    assert ids(api.get("/api/contacts/?q=1234")) == [contact.pk]
    assert ids(api.get("/api/contacts/?page_size=1&page=2")) == [paused.pk]
    assert api.get("/api/contacts/?bot_paused=maybe").status_code == 422


def test_get_contact(api, contact):
    response = api.get(f"/api/contacts/{contact.pk}/")

    assert response.status_code == 200
    assert response.json()["wa_id"] == "5215512345678"
    assert response.json()["bot_paused"] is False


def test_missing_contact_is_404(api):
    response = api.get("/api/contacts/999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Contact 999 does not exist", "code": "not_found"}


def test_messages_merged_by_time_newest_first(api, contact, conversation):
    first, reply, buttons, last = conversation

    response = api.get(f"/api/contacts/{contact.pk}/messages/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4  # the read receipt is not a message
    assert [(m["direction"], m["id"], m["text"]) for m in body["items"]] == [
        ("in", last.pk, "Dos"),
        ("out", buttons.pk, "¿Cuántos?"),
        ("out", reply.pk, "¡Bienvenida!"),
        ("in", first.pk, "Hola"),
    ]
    assert body["items"][2]["status"] == "sent"
    assert body["items"][2]["wa_message_id"] == "wamid.out1"


def test_messages_oldest_first_and_paginated(api, contact, conversation):
    first, reply, buttons, last = conversation
    url = f"/api/contacts/{contact.pk}/messages/?ordering=at&page_size=3"

    page1 = api.get(url).json()
    page2 = api.get(url + "&page=2").json()

    assert [m["id"] for m in page1["items"]] == [first.pk, reply.pk, buttons.pk]
    assert [m["id"] for m in page2["items"]] == [last.pk]
    assert page2["count"] == 4
    assert page2["page"] == 2


def test_messages_of_a_missing_contact_is_404(api):
    assert api.get("/api/contacts/5/messages/").status_code == 404


def test_contact_orders(api, contact):
    raffle = make_raffle()
    mine = services.reserve_specific(raffle.pk, [1, 2], contact.buyer)
    services.reserve_specific(raffle.pk, [3], BuyerFactory())

    response = api.get(f"/api/contacts/{contact.pk}/orders/")

    assert ids(response) == [mine.pk]
    assert response.json()["items"][0]["numbers"] == [1, 2]
    same = api.get(f"/api/orders/?buyer={contact.buyer_id}")
    assert ids(same) == [mine.pk]


def test_orders_filtered_by_contact_beside_buyer(api, contact):
    raffle = make_raffle()
    mine = services.reserve_specific(raffle.pk, [1, 2], contact.buyer)
    other = BuyerFactory()
    services.reserve_specific(raffle.pk, [3], other)
    no_buyer = Contact.objects.create(wa_id="5215500000008")

    assert ids(api.get(f"/api/orders/?contact={contact.pk}")) == [mine.pk]
    assert ids(api.get(f"/api/orders/?contact={contact.pk}&buyer={contact.buyer_id}")) == [mine.pk]
    assert ids(api.get(f"/api/orders/?contact={contact.pk}&buyer={other.pk}")) == []
    assert ids(api.get(f"/api/orders/?contact={no_buyer.pk}")) == []
    assert ids(api.get(f"/api/orders/?contact={no_buyer.pk + 1000}")) == []
    assert api.get("/api/orders/?contact=abc").status_code == 422


def test_orders_of_a_contact_without_buyer_is_empty(api):
    contact = Contact.objects.create(wa_id="5215500000009")

    response = api.get(f"/api/contacts/{contact.pk}/orders/")

    assert response.json() == {"items": [], "count": 0, "page": 1, "page_size": 50}


def test_pause_and_resume_the_bot(api, contact):
    paused = api.post(f"/api/contacts/{contact.pk}/pause/")
    again = api.post(f"/api/contacts/{contact.pk}/pause/")
    resumed = api.post(f"/api/contacts/{contact.pk}/resume/")

    assert paused.status_code == 200
    assert paused.json()["bot_paused"] is True
    assert again.json()["bot_paused"] is True
    assert resumed.json()["bot_paused"] is False
    contact.refresh_from_db()
    assert contact.bot_paused is False
    events = OrderEvent.objects.filter(kind__in=["bot_paused", "bot_resumed"])
    assert [(e.kind, e.actor_type, e.actor_label) for e in events] == [
        ("bot_paused", "api", "accounting"),
        ("bot_resumed", "api", "accounting"),
    ]
    assert events[0].details["contact"] == contact.pk


def test_pause_needs_a_read_write_key(ro_api, contact):
    response = ro_api.post(f"/api/contacts/{contact.pk}/pause/")

    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.bot_paused is False


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_pause_a_missing_contact_is_404(api, action):
    assert api.post(f"/api/contacts/404/{action}/").status_code == 404


def test_contacts_need_credentials(anon_api, contact):
    assert anon_api.get("/api/contacts/").status_code == 401
