"""The public live draw page (/r/<ref>/draw/), its state feed and the early-bird pages."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from raffles import services
from raffles.models import EarlyDraw, Raffle
from raffles.tests.drawing import sell
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db
LOTTERY = "lottery-digits-v1"


def lottery_raffle(fallback: str = "next-sold", **names: object) -> Raffle:
    raffle = make_raffle(size=1000, active=False)
    services.set_draw_setup(raffle, method=LOTTERY, fallback=fallback, prize_names=["Car", "TV"])
    return services.activate_raffle(raffle=raffle)


def result(*numbers: str) -> dict[str, object]:
    return {
        "numbers": list(numbers),
        "source": "Lotería Nacional",
        "url": "https://lottery.example.test/r/1",
        "date": timezone.localdate().isoformat(),
    }


def test_before_the_draw_the_page_waits_and_shows_the_fallback(client: Client) -> None:
    raffle = lottery_raffle()
    sell(raffle, [5, 250])
    page = client.get(f"/r/{raffle.public_id}/draw/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="waiting"' in body
    assert 'data-fallback="next-sold"' in body
    assert "lottery-digits-v1" in body
    assert "draw.js" in body
    assert "<li>Car</li>" in body
    state = client.get(f"/r/{raffle.public_id}/draw/state.json")
    assert state.status_code == 200
    assert state.json() == {
        "stage": "committed",
        "awaiting_result": False,
        "results": 0,
        "entries_count": None,
        "winners": [],
    }
    # The raffle's own page shows the rule from the start, in Spanish too.
    spanish = client.get(f"/r/{raffle.public_id}/?lang=es").content.decode()
    assert "gana el número vendido más cercano hacia arriba" in spanish
    assert f'href="/r/{raffle.public_id}/draw/"' in spanish


def test_after_the_draw_the_page_is_the_record_and_its_recipe_runs(
    client: Client, tmp_path
) -> None:
    raffle = lottery_raffle()
    sell(raffle, [5, 250], BuyerFactory(name="Marisol Quintero"))
    services.close_raffle(raffle)
    services.draw_raffle(raffle, lottery_result=result("48250", "11999"))
    body = client.get(f"/r/{raffle.public_id}/draw/?lang=pt-br").content.decode()
    assert "Marisol" not in body
    assert 'id="waiting"' not in body
    assert "draw.js" not in body
    assert re.findall(r'<span class="winner">(\d+)</span>', body) == ["250", "005"]
    assert "Prêmio 1 · Car" in body
    assert "https://lottery.example.test/r/1" in body
    state = client.get(f"/r/{raffle.public_id}/draw/state.json").json()
    assert state["stage"] == "drawn"
    assert [(w["number"], w["prize_name"]) for w in state["winners"]] == [
        ("250", "Car"),
        ("005", "TV"),
    ]
    entries = client.get(f"/raffles/{raffle.public_id}/draw/entries.txt").content
    assert entries == b"005\n250\n"
    (tmp_path / "entries.txt").write_bytes(entries)
    program = html.unescape(re.search(r'<pre id="recipe"><code>(.*?)</code></pre>', body, re.S)[1])
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == repr(["250", "005"])
    # The older address shows the same record.
    assert "Lotería Nacional" in client.get(f"/raffles/{raffle.public_id}/draw/").content.decode()


def test_a_pending_lottery_draw_says_it_waits_for_the_next_result(client: Client) -> None:
    raffle = lottery_raffle("redraw")
    sell(raffle, [5])
    services.close_raffle(raffle)
    services.draw_raffle(raffle, prizes=1, lottery_result=result("48250"))
    body = client.get(f"/r/{raffle.public_id}/draw/").content.decode()
    assert "Waiting for the next lottery result" in body
    state = client.get(f"/r/{raffle.public_id}/draw/state.json").json()
    assert (state["stage"], state["awaiting_result"], state["results"]) == ("frozen", True, 1)


def test_early_bird_pages(client: Client) -> None:
    raffle = make_raffle(size=100)
    early = services.create_early_draw(
        raffle, title="Paid by Friday", cutoff=timezone.now() + timedelta(days=1)
    )
    base = f"/r/{raffle.public_id}/draw/early/{early.pk}/"
    body = client.get(base).content.decode()
    assert "Paid by Friday" in body
    assert early.commitment in body
    assert early.seed not in body
    assert client.get(base + "entries.txt").status_code == 404
    assert "Paid by Friday" in client.get(f"/r/{raffle.public_id}/").content.decode()
    assert "Paid by Friday" in client.get(f"/r/{raffle.public_id}/draw/").content.decode()
    sell(raffle, [7])
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    services.draw_early(early, external_value="48213")
    assert client.get(base + "state.json").json()["winners"][0]["number"] == "07"
    assert client.get(base + "entries.txt").content == b"07\n"
    assert early.seed in client.get(base).content.decode()
    assert client.get(f"/r/{raffle.public_id}/draw/early/999999/").status_code == 404


def test_drafts_and_unknown_raffles_have_no_draw_page(client: Client) -> None:
    draft = make_raffle(active=False)
    assert client.get(f"/r/{draft.public_id}/draw/").status_code == 404
    assert client.get("/r/nope/draw/state.json").status_code == 404
    assert client.post(f"/r/{make_raffle().public_id}/draw/").status_code == 405
