"""Buyer names from WhatsApp show in the portal: order search, CSV exports, the winners table;
the simulator never renames a buyer when a contact is reopened."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from messaging.models import Contact
from portal import simulator
from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db(transaction=True)  # tasks run when the webhook commits

WA = "15550100077"


def _say(client: Client, text: str, name: str) -> None:
    result = unicorn_call(
        client, "simulator", f"send('{text}')", {"wa_id": WA, "name": name}, component_id="sim"
    )
    assert result.status_code == 200


def test_a_whatsapp_buyer_is_found_by_name_and_named_in_exports(staff_client: Client) -> None:
    raffle = make_raffle(size=100, title="Named raffle")
    simulator.deliver(simulator.text_payload(WA, "Ana María López", "hi"))
    buyer = Contact.objects.get(wa_id=WA).buyer
    assert buyer is not None
    order = services.reserve_specific(raffle.pk, [7], buyer)
    services.confirm_paid(order)

    page = staff_client.get(reverse("portal:orders") + "?q=María").content.decode()
    assert order.code in page
    assert "Ana María López" in page
    orders_csv = b"".join(staff_client.get(reverse("portal:export-orders")).streaming_content)
    assert "Ana María López" in orders_csv.decode("utf-8-sig")
    sold = staff_client.get(reverse("portal:export-sold", args=[raffle.pk]))
    assert "Ana María López" in b"".join(sold.streaming_content).decode("utf-8-sig")


def test_reopening_a_contact_in_the_simulator_keeps_its_names(staff_client: Client) -> None:
    simulator.deliver(simulator.text_payload(WA, "Ana Real", "hi"))
    page = staff_client.get(reverse("portal:simulator") + f"?wa={WA}").content.decode()
    field = re.search(r'<input id="sim-name"[^>]*>', page)
    assert field is not None
    assert 'value="Ana Real"' in field.group(0)

    _say(staff_client, "again", name="Test Buyer")  # an old page still holding the default
    contact = Contact.objects.select_related("buyer").get(wa_id=WA)
    assert contact.buyer is not None
    assert contact.buyer.name == "Ana Real"
