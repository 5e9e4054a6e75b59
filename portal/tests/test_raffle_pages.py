"""Raffles from the portal: create and edit with inline errors, generate, activate, close."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import Raffle
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Spring raffle",
    "ticket_price": "12.50",
    "currency": "usd",
    "min_number": "0",
    "max_number": "999",
    "reservation_minutes": "30",
    "max_tickets_per_order": "10",
    "max_tickets_per_buyer": "",
    "sales_close_at": "2030-05-01T18:00",
    "draw_at": "2030-05-02T12:00",
    "payment_instructions": "Bank transfer to 123",
}


def test_create_raffle_redirects_to_its_page(staff_client: Client) -> None:
    result = unicorn_call(staff_client, "raffle-form", "save", VALID)
    assert result.status_code == 200
    raffle = Raffle.objects.get(title="Spring raffle")
    assert result.json["redirect"]["url"] == reverse("portal:raffle", args=[raffle.pk])
    assert raffle.currency == "USD"
    assert raffle.max_number == 999
    assert raffle.draw_at is not None
    assert raffle.events.filter(kind="raffle_created", actor_user__username="staff").exists()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"ticket_price": "abc"}, "ticket_price", "must be a number"),
        ({"ticket_price": ""}, "ticket_price", "price of one ticket"),
        ({"max_number": "ten"}, "max_number", "whole number"),
        ({"min_number": "50", "max_number": "10"}, "max_number", "must not be smaller"),
        ({"max_number": "1000000"}, "max_number", "at most 1,000,000"),
        ({"reservation_minutes": "0"}, "reservation_minutes", "at least 1"),
        ({"max_tickets_per_buyer": "0"}, "max_tickets_per_buyer", "≥ 1"),
        ({"title": "  "}, "title", "1 to 200 characters"),
        ({"currency": "dollars"}, "currency", "3-letter"),
        ({"draw_at": "2030-04-01T10:00"}, "draw_at", "after sales close"),
        ({"sales_close_at": "tomorrow"}, "sales_close_at", "date and time"),
    ],
)
def test_invalid_input_is_shown_next_to_its_field(
    staff_client: Client, changes: dict[str, str], field: str, text: str
) -> None:
    result = unicorn_call(staff_client, "raffle-form", "save", {**VALID, **changes})
    assert result.status_code == 200
    assert "redirect" not in result.json
    errors = result.data.get("field_errors") or {}
    assert field in errors, errors
    assert text in errors[field]
    assert f'data-field="{field}"' in result.dom
    assert 'class="field invalid' in result.dom
    assert not Raffle.objects.filter(title=VALID["title"]).exists()


def test_edit_raffle(staff_client: Client) -> None:
    raffle = make_raffle(size=10, active=False, generate=False, title="Old")
    page = staff_client.get(reverse("portal:raffle-edit", args=[raffle.pk]))
    assert page.status_code == 200
    assert 'value="Old"' in page.content.decode()
    data = {**VALID, "raffle_id": raffle.pk, "title": "New title", "max_number": "49"}
    result = unicorn_call(staff_client, "raffle-form", "save", data)
    assert result.json["redirect"]["url"] == reverse("portal:raffle", args=[raffle.pk])
    raffle.refresh_from_db()
    assert raffle.title == "New title"
    assert raffle.max_number == 49


def test_range_cannot_change_after_generation(staff_client: Client) -> None:
    raffle = make_raffle(size=10, active=False, generate=True)
    data = {**VALID, "raffle_id": raffle.pk, "min_number": "0", "max_number": "20"}
    result = unicorn_call(staff_client, "raffle-form", "save", data)
    assert "redirect" not in result.json
    assert "change the number range" in result.data["error"]
    # unchanged range, other edits: fine
    data = {**VALID, "raffle_id": raffle.pk, "min_number": "0", "max_number": "9"}
    result = unicorn_call(staff_client, "raffle-form", "save", data)
    assert "redirect" in result.json


def test_generate_activate_close(staff_client: Client) -> None:
    raffle = services.create_raffle(title="Flow", ticket_price="1", max_number=99)
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk]))
    assert "Generate numbers" in page.content.decode()

    data = {"raffle_id": raffle.pk}
    result = unicorn_call(staff_client, "raffle-panel", "activate", data)
    assert "Generate the raffle" in result.data["error"]

    result = unicorn_call(staff_client, "raffle-panel", "generate", data)
    assert "100 numbers are ready" in result.data["notice"]
    result = unicorn_call(staff_client, "raffle-panel", "activate", data)
    assert result.data["error"] == ""
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.ACTIVE
    assert 'data-testid="available">100<' in result.dom

    result = unicorn_call(staff_client, "raffle-panel", "close", data)
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.CLOSED
    result = unicorn_call(staff_client, "raffle-panel", "activate", data)
    assert "Cannot activate a raffle that is closed" in result.data["error"]


def test_big_ranges_generate_in_the_background_with_progress(
    staff_client: Client, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from raffles.services import raffles as raffle_services

    monkeypatch.setattr(raffle_services, "INLINE_GENERATION_LIMIT", 50)
    raffle = services.create_raffle(title="Big", ticket_price="1", max_number=199)
    # Tests run django-q2 tasks synchronously: the task has finished when this returns.
    with django_capture_on_commit_callbacks(execute=True):
        result = unicorn_call(staff_client, "raffle-panel", "generate", {"raffle_id": raffle.pk})
    assert "in the background" in result.data["notice"]
    raffle.refresh_from_db()
    assert raffle.generation_status == Raffle.Generation.DONE

    Raffle.objects.filter(pk=raffle.pk).update(
        generation_status=Raffle.Generation.RUNNING, generated_count=50
    )
    result = unicorn_call(staff_client, "raffle-panel", "tick", {"raffle_id": raffle.pk})
    assert result.data["generating"] is True
    assert "25%" in result.dom
    assert 'role="progressbar"' in result.dom
    listing = unicorn_call(staff_client, "raffle-list", "tick")
    assert "25% generated" in listing.dom


def test_raffle_list_filters_by_status(staff_client: Client) -> None:
    make_raffle(size=5, title="Selling")
    services.create_raffle(title="Drafty", ticket_price="1", max_number=9)
    result = unicorn_call(staff_client, "raffle-list", None, sync={"status": "draft"})
    assert "Drafty" in result.dom
    assert "Selling" not in result.dom


def test_the_background_notice_goes_when_generation_ends(
    staff_client: Client, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from raffles.services import raffles as raffle_services

    monkeypatch.setattr(raffle_services, "INLINE_GENERATION_LIMIT", 50)
    raffle = services.create_raffle(title="Big", ticket_price="1", max_number=199)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs after the action
        started = unicorn_call(
            staff_client, "raffle-panel", "generate", {"raffle_id": raffle.pk}, component_id="p"
        )
    assert started.data["generating"] is True
    assert "in the background" in started.data["notice"]

    ended = unicorn_call(staff_client, "raffle-panel", "tick", started.data, component_id="p")
    assert ended.data["generating"] is False
    assert "in the background" not in ended.dom
    assert "200 numbers are ready" in ended.data["notice"]
    assert 'data-testid="sold"' in ended.dom


def test_an_empty_form_shows_every_error_at_once(staff_client: Client) -> None:
    empty = dict.fromkeys(VALID, "")
    result = unicorn_call(staff_client, "raffle-form", "save", empty)
    assert "redirect" not in result.json
    errors = result.data["field_errors"]
    assert set(errors) >= {
        "title",
        "ticket_price",
        "currency",
        "min_number",
        "max_number",
        "reservation_minutes",
        "max_tickets_per_order",
    }
    assert result.dom.count('class="field-error"') == len(errors)


def test_rules_across_fields_show_next_to_their_fields(staff_client: Client) -> None:
    nonsense = {
        **VALID,
        "max_number": "99",
        "max_tickets_per_order": "5000",
        "sales_close_at": "",
        "draw_at": "2001-01-01T10:00",
        "title": "",
    }
    errors = unicorn_call(staff_client, "raffle-form", "save", nonsense).data["field_errors"]
    assert set(errors) == {"title", "max_tickets_per_order", "draw_at"}
    assert "100 numbers" in errors["max_tickets_per_order"]
    below = {**VALID, "max_tickets_per_order": "10", "max_tickets_per_buyer": "3"}
    errors = unicorn_call(staff_client, "raffle-form", "save", below).data["field_errors"]
    assert set(errors) == {"max_tickets_per_buyer"}
    assert not Raffle.objects.exists()
