"""The draw setup, lottery results and early-bird draws through HTTP (keys, errors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from raffles import services
from raffles.models import EarlyDraw, Raffle
from raffles.tests.drawing import sell
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db
LOTTERY = "lottery-digits-v1"


def result(*numbers: str, days: int = 0) -> dict[str, object]:
    date = (timezone.localdate() + timedelta(days=days)).isoformat()
    return {
        "numbers": list(numbers),
        "source": "Lotería Nacional",
        "url": "https://lottery.example.test/r",
        "date": date,
    }


def test_setup_then_lottery_draw_with_redraw(api):
    raffle = make_raffle(size=100, active=False)
    setup = api.put(
        f"/api/raffles/{raffle.pk}/draw/setup/",
        {"method": LOTTERY, "fallback": "redraw", "prize_names": ["Car", "TV"]},
    )
    assert setup.status_code == 200, setup.content
    body = setup.json()
    assert (body["method"], body["fallback"], body["prize_names"]) == (
        LOTTERY,
        "redraw",
        ["Car", "TV"],
    )
    assert body["commitment"] == ""
    raffle = services.activate_raffle(raffle=raffle)
    changed = api.put(f"/api/raffles/{raffle.pk}/draw/setup/", {"fallback": "next-sold"})
    assert changed.status_code == 409
    assert changed.json()["code"] == "invalid_raffle_state"
    sell(raffle, [5, 17])
    services.close_raffle(raffle)

    short = api.post(f"/api/raffles/{raffle.pk}/draw/", {"lottery_result": result("123", "5")})
    assert short.status_code == 400  # "5" has fewer digits than the raffle's numbers
    assert short.json()["field"] == "lottery_numbers"
    pending = api.post(
        f"/api/raffles/{raffle.pk}/draw/", {"lottery_result": result("48399", "00005")}
    )
    assert pending.status_code == 200, pending.content
    body = pending.json()
    assert body["stage"] == "frozen"
    assert body["awaiting_result"] is True
    assert body["winners"] == []
    assert body["winners_so_far"] == []
    assert body["lottery_results"][0]["numbers"] == ["48399", "00005"]

    done = api.post(
        f"/api/raffles/{raffle.pk}/draw/",
        {"lottery_result": result("11105", "22217", days=3)},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["stage"] == "drawn"
    assert [(w["label"], w["prize_name"]) for w in body["winners"]] == [
        ("05", "Car"),
        ("17", "TV"),
    ]
    assert api.get(f"/api/raffles/{raffle.pk}/draw/").json() == body
    assert services.verify_draw(raffle).ok


def test_bad_lottery_results_are_422(api):
    raffle = make_raffle(size=100)
    url = f"/api/raffles/{raffle.pk}/draw/"
    for bad in (
        {**result("1"), "numbers": []},
        {**result("1"), "numbers": ["12a"]},
        {**result("1"), "url": "javascript:alert(1)"},
        {**result("1"), "date": "soon"},
        {**result("1"), "extra": 1},
    ):
        response = api.post(url, {"lottery_result": bad})
        assert response.status_code == 422, (bad, response.content)


def test_early_bird_draws_through_the_api(api, ro_api):
    raffle = make_raffle(size=100)
    cutoff = (timezone.now() + timedelta(days=2)).isoformat()
    created = api.post(
        f"/api/raffles/{raffle.pk}/early-draws/",
        {"title": "Paid by Friday", "cutoff": cutoff, "prize_names": ["Dinner"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "Paid by Friday"
    assert body["early_id"]
    assert len(body["commitment"]) == 64
    assert body["seed"] is None
    assert body["live_url"].endswith(f"/draw/early/{body['early_id']}/")
    listed = ro_api.get(f"/api/raffles/{raffle.pk}/early-draws/")
    assert listed.status_code == 200
    assert [e["title"] for e in listed.json()] == ["Paid by Friday"]
    early_url = f"/api/raffles/{raffle.pk}/early-draws/{body['early_id']}/draw/"
    assert ro_api.post(early_url, {"external_value": "1"}).status_code == 403
    sell(raffle, [7, 8])
    too_early = api.post(early_url, {"external_value": "1"})
    assert too_early.status_code == 400
    assert too_early.json()["field"] == "cutoff"
    EarlyDraw.objects.filter(pk=body["early_id"]).update(cutoff=timezone.now())
    drawn = api.post(early_url, {"external_value": "48213"})
    assert drawn.status_code == 200, drawn.content
    assert drawn.json()["stage"] == "drawn"
    assert drawn.json()["winners"][0]["label"] in {"07", "08"}
    assert drawn.json()["winners"][0]["prize_name"] == "Dinner"
    missing = api.post(f"/api/raffles/{raffle.pk}/early-draws/999999/draw/", {})
    assert missing.status_code == 404
    services.close_raffle(raffle)
    late = api.post(
        f"/api/raffles/{raffle.pk}/early-draws/",
        {"title": "Late", "cutoff": cutoff},
    )
    assert late.status_code == 409
    assert Raffle.objects.get(pk=raffle.pk).early_draws.count() == 1
