"""The draw's setup on the raffle page (method, fallback, prizes, early-bird draws) and the
lottery draw from the draw panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import Draw, EarlyDraw, Raffle
from raffles.tests.drawing import sell
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db
LOTTERY = "lottery-digits-v1"


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_draft_takes_the_lottery_method_and_prizes(staff_client: Client) -> None:
    raffle = make_raffle(size=1000, active=False)
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert 'data-testid="draw-setup"' in page
    data = {
        "raffle_id": raffle.pk,
        "method": LOTTERY,
        "fallback": "redraw",
        "prize_names": "Car\n\nTV\n",
    }
    result = unicorn_call(staff_client, "draw-setup", "save_setup", data)
    assert result.status_code == 200
    assert 'data-testid="setup-notice"' in result.dom
    draw = Draw.objects.get(raffle=raffle)
    assert (draw.method, draw.fallback, draw.prize_names) == (LOTTERY, "redraw", ["Car", "TV"])
    # Once active, only the prizes change: the method stays what was published.
    services.activate_raffle(raffle=raffle)
    data = {**data, "method": "hmac-sha256-rejection-v1", "prize_names": "Car\nTV\nBike"}
    result = unicorn_call(staff_client, "draw-setup", "save_setup", data)
    assert not result.data.get("error")
    draw.refresh_from_db()
    assert (draw.method, draw.prize_names) == (LOTTERY, ["Car", "TV", "Bike"])
    assert 'disabled data-testid="setup-method"' in result.dom


def _closed_lottery_raffle() -> Raffle:
    raffle = make_raffle(size=1000, active=False)
    services.set_draw_setup(raffle, method=LOTTERY, fallback="next-prize", prize_names=["Car"])
    raffle = services.activate_raffle(raffle=raffle)
    sell(raffle, [250])
    sell(raffle, [999])
    return services.close_raffle(raffle)


def test_the_draw_panel_takes_the_lottery_result(staff_client: Client) -> None:
    raffle = _closed_lottery_raffle()
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert 'name="lottery_numbers"' in page
    assert (
        'name="external_value"' not in page.split('data-testid="draw-form"')[1].split("</form>")[0]
    )
    data = {
        "raffle_id": raffle.pk,
        "lottery_numbers": "48123, 11250",
        "lottery_source": "Lotería Nacional",
        "lottery_url": "ftp://nope",
        "lottery_date": timezone.localdate().isoformat(),
    }
    bad = unicorn_call(staff_client, "draw-panel", "draw", data)
    assert "https://" in bad.data["field_errors"]["lottery_url"]
    assert 'id="e-lottery_url"' in bad.dom
    data["lottery_url"] = "https://lottery.example.test/r"
    result = unicorn_call(staff_client, "draw-panel", "draw", data)
    assert not result.data.get("error"), result.data
    assert Draw.objects.get(raffle=raffle).winners == ["250"]
    assert "Car" in result.dom
    assert 'data-testid="lottery-results"' in result.dom
    assert f"/r/{raffle.public_id}/draw/" in result.dom


def test_early_bird_draws_are_announced_and_drawn(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    base = {"raffle_id": raffle.pk, "early_title": "Paid by Friday", "early_prizes": "Dinner"}
    past = unicorn_call(
        staff_client,
        "draw-setup",
        "announce_early",
        {**base, "early_cutoff": _local(timezone.now() - timedelta(days=1))},
    )
    assert "future" in past.data["field_errors"]["early_cutoff"]
    future = _local(timezone.now() + timedelta(days=1))
    result = unicorn_call(
        staff_client, "draw-setup", "announce_early", {**base, "early_cutoff": future}
    )
    assert 'data-testid="setup-notice"' in result.dom
    early = EarlyDraw.objects.get(raffle=raffle)
    assert (early.title, early.prize_names) == ("Paid by Friday", ["Dinner"])
    sell(raffle, [12])
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    drawn = unicorn_call(
        staff_client,
        "draw-setup",
        f"draw_early({early.pk})",
        {"raffle_id": raffle.pk, "external_value": "48213"},
    )
    assert not drawn.data.get("error"), drawn.data
    early.refresh_from_db()
    assert early.winners == ["12"]
    assert "Dinner" in drawn.dom


def test_early_bird_winners_link_to_their_orders_and_buyers(staff_client: Client) -> None:
    """Staff hand over an early-bird prize: the winner's order (and so the buyer) is one tap
    away, as for the main draw's winners."""
    raffle = make_raffle(size=100)
    cutoff = timezone.now() + timedelta(days=1)
    early = services.create_early_draw(
        raffle, title="Paid by Friday", cutoff=cutoff, prize_names=["Dinner"], by=None
    )
    order = sell(raffle, [12])
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    early.refresh_from_db()
    services.draw_early(early, external_value="48213", by=None)
    page = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert reverse("portal:order", args=[order.code]) in page
    assert order.buyer.name in page
