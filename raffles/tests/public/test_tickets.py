"""E-tickets at signed links, and the "my numbers" lookup."""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client

from raffles import services
from raffles.public import tickets
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid():  # type: ignore[no-untyped-def]
    raffle = make_raffle(size=100)
    buyer = BuyerFactory(name="Marisol Quintero Ruiz", phone="+5215512349876")
    order = services.confirm_paid(services.reserve_specific(raffle.pk, [7, 42], buyer))
    return order


def test_the_e_ticket_shows_first_name_numbers_and_status(client: Client, paid) -> None:  # type: ignore[no-untyped-def]
    response = client.get(tickets.ticket_path(paid))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Marisol" in html
    assert "Quintero" not in html
    assert "9876" not in html
    assert "+52" not in html
    assert "07" in html
    assert "42" in html
    assert 'id="ticket-status"' in html
    assert "Paid" in html
    assert response["Cache-Control"] == "private, no-store"
    qr = client.get(tickets.ticket_path(paid) + "qr.svg")
    assert qr.status_code == 200
    assert b"<svg" in qr.content


def test_forged_and_enumerated_links_fail(client: Client, paid) -> None:  # type: ignore[no-untyped-def]
    raffle = paid.raffle
    good = tickets.ticket_token(paid)
    other = services.confirm_paid(services.reserve_specific(raffle.pk, [8], BuyerFactory()))
    unsalted = signing.Signer().sign_object([other.pk, other.code])  # no salt
    forged = signing.Signer(key="guessed-key", salt=tickets.SALT).sign_object(
        [other.pk, other.code]
    )
    payload = signing.b64_encode(json.dumps([other.pk, paid.code], separators=(",", ":")).encode())
    tampered = payload.decode() + ":" + good.rsplit(":", 1)[1]  # another order, the same signature
    for token in (unsalted, forged, tampered, str(other.pk), other.code, good[:-2] + "xx"):
        assert client.get(f"/r/{raffle.public_id}/ticket/{token}/").status_code == 404, token
        assert client.get(f"/r/{raffle.public_id}/ticket/{token}/qr.png").status_code == 404
    elsewhere = make_raffle(size=10)
    assert client.get(f"/r/{elsewhere.public_id}/ticket/{good}/").status_code == 404
    assert client.get(f"/r/{raffle.public_id}/ticket/{good}/").status_code == 200
    assert tickets.ticket_token(paid) == good  # one order, one link


def test_the_e_ticket_shows_the_draw_result(client: Client, paid) -> None:  # type: ignore[no-untyped-def]
    services.close_raffle(paid.raffle)
    services.draw_raffle(paid.raffle, external_value="1", prizes=1)
    html = client.get(tickets.ticket_path(paid)).content.decode()
    assert 'id="ticket-result"' in html


def test_lookup_by_code_and_last_four_digits(client: Client, paid) -> None:  # type: ignore[no-untyped-def]
    url = f"/r/{paid.raffle.public_id}/mine/"
    found = client.post(url, {"code": paid.code.lower(), "phone": "9876"})
    assert found.status_code == 302
    assert found["Location"] == tickets.ticket_path(paid)
    wrong_phone = client.post(url, {"code": paid.code, "phone": "1111"})
    wrong_code = client.post(url, {"code": "ZZZZZZ", "phone": "9876"})
    assert wrong_phone.status_code == wrong_code.status_code == 200
    assert wrong_phone.content == wrong_code.content  # never says which one was wrong


def test_lookups_are_rate_limited(client: Client, paid) -> None:  # type: ignore[no-untyped-def]
    url = f"/r/{paid.raffle.public_id}/mine/"
    for _ in range(10):
        client.post(url, {"code": "ZZZZZZ", "phone": "0000"})
    limited = client.post(url, {"code": paid.code, "phone": "9876"})
    assert limited.status_code == 429


def test_the_receipt_button_path_leads_to_the_e_ticket(client: Client, paid) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/raffles/" + tickets.ticket_button_suffix(paid))
    assert response.status_code == 302
    assert response["Location"] == tickets.ticket_path(paid)
