"""The WhatsApp profile name becomes the buyer's name when the buyer has none; a name staff
typed (or one the buyer already had) is never overwritten."""

from __future__ import annotations

import json
from typing import Any

import pytest

from messaging.channel import inbound, shapes
from messaging.models import Contact
from raffles import services
from raffles.models import Buyer

pytestmark = pytest.mark.django_db

WA = "5215512340000"


def say(wa_id: str, wamid: str, *, name: str | None) -> None:
    message = {"id": wamid, "timestamp": "1700000000", "type": "text", "text": {"body": "hi"}}
    data: dict[str, Any] = shapes.inbound(wa_id, message, name=name or "")
    if name is None:  # a delivery that says nothing about the sender's profile
        data["entry"][0]["changes"][0]["value"].pop("contacts")
    inbound.store_delivery(json.dumps(data).encode(), data)


def buyer_of(wa_id: str) -> Buyer:
    contact = Contact.objects.select_related("buyer").get(wa_id=wa_id)
    assert contact.buyer is not None
    return contact.buyer


def test_a_new_contact_gives_its_profile_name_to_its_buyer(post_webhook, echo_handler):
    assert post_webhook("message-text.json").status_code == 200
    assert buyer_of("972987654321").name == "Test Name"


def test_a_buyer_without_a_name_gets_the_profile_name_when_it_arrives():
    say(WA, "wamid.1", name=None)
    assert buyer_of(WA).name == ""
    say(WA, "wamid.2", name="Ana María")
    assert buyer_of(WA).name == "Ana María"


def test_a_name_staff_typed_is_never_overwritten_by_the_profile():
    services.get_or_create_buyer(phone=f"+{WA}", name="Ana María López")
    say(WA, "wamid.1", name="anita 🌸")
    assert buyer_of(WA).name == "Ana María López"
    assert Contact.objects.get(wa_id=WA).profile_name == "anita 🌸"  # shown in conversations


def test_a_later_profile_change_keeps_the_buyer_name():
    say(WA, "wamid.1", name="Ana")
    say(WA, "wamid.2", name="Ana 🌸")
    assert buyer_of(WA).name == "Ana"
    assert Contact.objects.get(wa_id=WA).profile_name == "Ana 🌸"


def test_get_or_create_buyer_fills_an_empty_name_only():
    buyer = services.get_or_create_buyer(phone=f"+{WA}")
    assert services.get_or_create_buyer(phone=f"+{WA}", name="Ana").name == "Ana"
    assert services.get_or_create_buyer(phone=f"+{WA}", name="Other").name == "Ana"
    buyer.refresh_from_db()
    assert buyer.name == "Ana"
