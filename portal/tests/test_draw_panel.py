"""The draw from the raffle page: freeze the sold numbers, draw, reveal, verify."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import Raffle
from raffles.selectors import public_draw_url
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

PROOF = {"content": b"%PDF-1.4 proof", "mime_type": "application/pdf"}


def _paid(raffle: Raffle, numbers: list[int], name: str) -> Any:
    order = services.reserve_specific(raffle.pk, numbers, BuyerFactory(name=name))
    services.attach_payment_proof(order, **PROOF)
    return services.confirm_paid(order)


@pytest.fixture
def closed(db: None) -> dict[str, Any]:
    """A closed raffle: two paid orders and one whose proof still waits for review."""
    raffle = make_raffle(size=100, title="Draw raffle")
    paid = [_paid(raffle, [3, 7], "Ana López"), _paid(raffle, [42], "Beto Ruiz")]
    pending = services.reserve_specific(raffle.pk, [50], BuyerFactory(name="Carla Díaz"))
    services.attach_payment_proof(pending, **PROOF)
    raffle = services.close_raffle(raffle)
    return {"raffle": raffle, "paid": paid, "pending": pending}


def _data(raffle: Raffle, **extra: Any) -> dict[str, Any]:
    return {"raffle_id": raffle.pk, **extra}


def test_the_raffle_page_shows_the_commitment_and_pending_orders(
    staff_client: Client, closed: dict[str, Any]
) -> None:
    raffle, pending = closed["raffle"], closed["pending"]
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert 'data-testid="draw-panel"' in page
    assert raffle.draw.commitment in page
    assert 'data-testid="pending-count">1<' in page
    assert pending.code in page
    assert 'data-testid="draw-form"' in page


def test_freeze_is_refused_while_a_proof_waits(
    staff_client: Client, closed: dict[str, Any]
) -> None:
    raffle, pending = closed["raffle"], closed["pending"]
    result = unicorn_call(staff_client, "draw-panel", "freeze", _data(raffle))
    assert result.status_code == 200
    assert "may still be paid" in result.data["error"]
    assert pending.code in result.data["error"]
    assert 'data-testid="draw-error"' in result.dom
    raffle.draw.refresh_from_db()
    assert raffle.draw.frozen_at is None


def test_freeze_excluding_pending_orders(staff_client: Client, closed: dict[str, Any]) -> None:
    raffle = closed["raffle"]
    result = unicorn_call(staff_client, "draw-panel", "freeze", _data(raffle, exclude_pending=True))
    assert result.data["error"] == ""
    raffle.draw.refresh_from_db()
    assert raffle.draw.entries_count == 3
    assert raffle.draw.excluded[0]["order"] == closed["pending"].code
    assert raffle.draw.entries_hash in result.dom
    assert 'data-testid="entries-link"' in result.dom
    assert 'data-testid="freeze"' not in result.dom
    assert raffle.events.filter(kind="entries_frozen", actor_user__username="staff").exists()


def test_draw_shows_winners_and_the_seed(staff_client: Client, closed: dict[str, Any]) -> None:
    raffle = closed["raffle"]
    value = "Lottery 2030-05-02: 4821"
    data = _data(raffle, exclude_pending=True, external_value=value, prizes="2")
    result = unicorn_call(staff_client, "draw-panel", "draw", data)
    assert result.data["error"] == ""
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.DRAWN
    draw = raffle.draw
    assert len(draw.winners) == 2
    assert draw.seed in result.dom
    assert "Lottery 2030-05-02: 4821" in result.dom
    codes = {o.code: o.buyer.name for o in closed["paid"]}
    for label in draw.winners:
        assert f"<b>{label}</b>" in result.dom
    assert any(code in result.dom for code in codes)
    assert any(name in result.dom for name in codes.values())
    assert public_draw_url(raffle) in result.dom
    assert 'data-testid="draw-form"' not in result.dom
    assert raffle.events.filter(kind="raffle_drawn", actor_user__username="staff").exists()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"prizes": "two"}, "prizes", "whole number"),
        ({"prizes": "0"}, "prizes", "from 1 to"),
        ({"external_value": "x" * 201}, "external_value", "at most 200"),
    ],
)
def test_invalid_draw_input_is_shown_next_to_its_field(
    staff_client: Client, closed: dict[str, Any], changes: dict[str, str], field: str, text: str
) -> None:
    raffle = closed["raffle"]
    base = {"exclude_pending": True, "external_value": "v", "prizes": "1"}
    data = _data(raffle, **{**base, **changes})
    result = unicorn_call(staff_client, "draw-panel", "draw", data)
    assert text in result.data["field_errors"][field]
    assert f'data-field="{field}"' in result.dom
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.CLOSED


def test_too_many_prizes_is_shown_inline(staff_client: Client, closed: dict[str, Any]) -> None:
    raffle = closed["raffle"]
    data = _data(raffle, exclude_pending=True, external_value="v", prizes="4")
    result = unicorn_call(staff_client, "draw-panel", "draw", data)
    assert "Cannot draw 4 prizes from 3" in result.data["error"]
    assert 'data-testid="draw-error"' in result.dom


def test_verify_shows_ok(staff_client: Client, closed: dict[str, Any]) -> None:
    raffle = closed["raffle"]
    services.draw_raffle(raffle, external_value="4821", exclude_pending=True)
    result = unicorn_call(staff_client, "draw-panel", "verify", _data(raffle))
    assert result.data["error"] == ""
    assert result.data["verify_ok"] is True
    assert "every check passed" in result.dom
    assert "SHA-256 of the revealed seed equals the commitment" in result.dom
    assert 'class="fail"' not in result.dom


@pytest.mark.parametrize("status", ["draft", "active"])
def test_no_draw_form_before_sales_close(staff_client: Client, status: str) -> None:
    raffle = make_raffle(size=10, active=status == "active")
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert 'data-testid="draw-panel"' in page
    assert 'data-testid="draw-form"' not in page
    assert 'data-testid="freeze"' not in page
    assert "The draw opens once sales are closed" in page
    result = unicorn_call(staff_client, "draw-panel", "refresh", _data(raffle))
    assert 'data-testid="draw-form"' not in result.dom


def test_draw_actions_refuse_anonymous_and_non_staff(
    plain_client: Client, closed: dict[str, Any]
) -> None:
    raffle = closed["raffle"]
    data = _data(raffle, exclude_pending=True, external_value="v", prizes="1")
    for method in ("freeze", "draw", "verify"):
        assert unicorn_call(Client(), "draw-panel", method, data).status_code == 401
        result = unicorn_call(plain_client, "draw-panel", method, data)
        assert result.status_code == 403
        assert "dom" not in result.json
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.CLOSED
    raffle.draw.refresh_from_db()
    assert raffle.draw.frozen_at is None
