"""Deleting a draft, archiving any raffle (and restoring it), and the warning for a title
another raffle already has, from the portal."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import Raffle
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def test_a_draft_is_deleted_after_a_confirmation(staff_client: Client) -> None:
    draft = make_raffle(size=10, active=False, generate=False, title="Typo")
    page = staff_client.get(reverse("portal:raffle", args=[draft.pk])).content.decode()
    assert 'data-testid="delete"' in page
    data = {"raffle_id": draft.pk}
    asked = unicorn_call(staff_client, "raffle-panel", "ask('delete')", data, component_id="p")
    assert 'data-testid="delete-confirm"' in asked.dom
    assert Raffle.objects.filter(pk=draft.pk).exists()
    done = unicorn_call(staff_client, "raffle-panel", "delete", asked.data, component_id="p")
    assert done.json["redirect"]["url"] == reverse("portal:raffles")
    assert not Raffle.objects.filter(pk=draft.pk).exists()


def test_a_raffle_with_orders_offers_archive_not_delete(staff_client: Client) -> None:
    raffle = make_raffle(size=10, title="Sold some")
    services.reserve_specific(raffle.pk, [1], BuyerFactory())
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert 'data-testid="delete"' not in page
    assert 'data-testid="archive"' in page
    refused = unicorn_call(staff_client, "raffle-panel", "delete", {"raffle_id": raffle.pk})
    assert "archive it" in refused.data["error"]
    assert Raffle.objects.filter(pk=raffle.pk).exists()


def test_archive_hides_the_raffle_from_the_list_and_restore_brings_it_back(
    staff_client: Client,
) -> None:
    raffle = make_raffle(size=10, title="Last year")
    data = {"raffle_id": raffle.pk}
    asked = unicorn_call(staff_client, "raffle-panel", "ask('archive')", data, component_id="p")
    archived = unicorn_call(staff_client, "raffle-panel", "archive", asked.data, component_id="p")
    assert 'data-testid="archived"' in archived.dom
    assert 'data-testid="restore"' in archived.dom
    raffle.refresh_from_db()
    assert raffle.is_archived
    assert raffle.status == Raffle.Status.CLOSED

    listing = unicorn_call(staff_client, "raffle-list", "tick")
    assert "Last year" not in listing.dom
    archived_list = unicorn_call(staff_client, "raffle-list", "tick", {"status": "archived"})
    assert "Last year" in archived_list.dom
    staff_page = staff_client.get(reverse("portal:raffles")).content.decode()
    assert 'value="archived"' in staff_page

    unicorn_call(staff_client, "raffle-panel", "restore", archived.data, component_id="p")
    raffle.refresh_from_db()
    assert not raffle.is_archived
    assert "Last year" in unicorn_call(staff_client, "raffle-list", "tick").dom


def test_a_title_in_use_is_a_warning_not_a_refusal(staff_client: Client) -> None:
    make_raffle(size=10, title="Gran Rifa Navideña")
    typed = unicorn_call(
        staff_client,
        "raffle-form",
        None,
        {"title": ""},
        sync={"title": "gran rifa navideña"},
        component_id="f",
    )
    assert 'data-testid="title-warning"' in typed.dom
    assert "Gran Rifa Navideña" in typed.dom
    data = {
        **typed.data,
        "ticket_price": "1",
        "max_number": "9",
        "max_tickets_per_order": "5",
    }
    saved = unicorn_call(staff_client, "raffle-form", "save", data, component_id="f")
    assert "redirect" in saved.json
    assert Raffle.objects.filter(title="gran rifa navideña").exists()
