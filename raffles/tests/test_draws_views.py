"""The public draw page and list download: no login, no seed before the draw."""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from raffles import services
from raffles.models import Draw
from raffles.selectors import draw_summary
from raffles.tests.drawing import closed_raffle, doc_winners, sell
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous() -> Client:
    return Client()


def page(client: Client, raffle) -> str:
    response = client.get(f"/raffles/{raffle.public_id}/draw/")
    assert response.status_code == 200, response
    return response.content.decode()


def test_urls_are_the_documented_ones():
    raffle = make_raffle()
    summary = draw_summary(raffle)
    assert summary.public_url.endswith(f"/raffles/{raffle.public_id}/draw/")
    assert summary.entries_url is None


def test_active_raffle_shows_commitment_and_status_only(anonymous, buyer):
    raffle = make_raffle()
    sell(raffle, [4, 8], buyer)
    body = page(anonymous, raffle)
    draw = Draw.objects.get(raffle=raffle)
    assert draw.commitment in body
    assert "Active" in body
    assert draw.seed not in body
    assert 'id="seed"' not in body
    assert 'id="winners"' not in body
    assert anonymous.get(f"/raffles/{raffle.public_id}/draw/entries.txt").status_code == 404


def test_frozen_list_is_published_but_not_the_seed(anonymous):
    raffle = closed_raffle([4, 8], [15])
    draw = services.freeze_entries(raffle)
    body = page(anonymous, raffle)
    assert draw.entries_hash in body
    assert draw.seed not in body
    assert f"/raffles/{raffle.public_id}/draw/entries.txt" in body
    response = anonymous.get(f"/raffles/{raffle.public_id}/draw/entries.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"04\n08\n15\n"
    assert hashlib.sha256(response.content).hexdigest() == draw.entries_hash


def test_staff_session_sees_no_seed_either():
    raffle = closed_raffle([1, 2])
    user = get_user_model().objects.create_user("ana", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    assert raffle.draw.seed not in page(client, raffle)


def test_drawn_page_lets_anyone_recompute_the_winners(anonymous, tmp_path):
    raffle = closed_raffle([4, 8], [15, 16, 23], [42])
    services.draw_raffle(raffle, external_value="Lotería Nacional: 48213", prizes=2)
    draw = Draw.objects.get(raffle=raffle)
    body = page(anonymous, raffle)
    for value in (draw.seed, draw.commitment, draw.entries_hash):
        assert value in body
    assert "Lotería Nacional: 48213" in body
    assert "Drawn" in body
    winners = re.findall(r'<span class="winner">(\d+)</span>', body)
    assert winners == draw.winners

    # A buyer copies the program from the page, downloads the list, runs it.
    entries = anonymous.get(f"/raffles/{raffle.public_id}/draw/entries.txt").content
    (tmp_path / "entries.txt").write_bytes(entries)
    program = html.unescape(re.search(r'<pre id="recipe"><code>(.*?)</code></pre>', body, re.S)[1])
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == repr(draw.winners)
    assert draw.winners == doc_winners(draw.seed, draw.external_value, entries.decode(), 2)


def test_draft_and_unknown_raffles_are_not_public(anonymous):
    draft = make_raffle(active=False)
    assert anonymous.get(f"/raffles/{draft.public_id}/draw/").status_code == 404
    assert anonymous.get("/raffles/nope/draw/").status_code == 404
    assert anonymous.get("/raffles/nope/draw/entries.txt").status_code == 404


def test_page_only_answers_reads(anonymous):
    raffle = make_raffle()
    assert anonymous.post(f"/raffles/{raffle.public_id}/draw/").status_code == 405
