"""POST /api/raffles/{id}/sales/: a sale recorded by staff through the API."""

from __future__ import annotations

import pytest

from raffles.models import Order, TicketNumber

pytestmark = pytest.mark.django_db


def test_sell_through_the_api(api, raffle) -> None:
    body = {"numbers": [5, 6], "buyer_name": "Ana", "buyer_phone": "+5215512340000"}
    response = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "method": "transfer"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "PAID"
    assert data["numbers"] == [5, 6]
    assert data["sale_method"] == "transfer"
    assert data["buyer"]["name"] == "Ana"
    taken = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "paid": False})
    assert taken.status_code == 409
    assert Order.objects.count() == 1


def test_a_reserved_sale_and_refusals(api, raffle) -> None:
    body = {"numbers": [9], "buyer_name": "Bo", "paid": False}
    response = api.post(f"/api/raffles/{raffle.pk}/sales/", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "PENDING_PAYMENT"
    assert TicketNumber.objects.get(raffle=raffle, number=9).status == "RESERVED"
    assert (
        api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "buyer_name": ""}).status_code == 422
    )
    bad = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "numbers": [1], "method": "card"})
    assert bad.status_code == 422
    phone = api.post(
        f"/api/raffles/{raffle.pk}/sales/", {**body, "numbers": [2], "buyer_phone": "1"}
    )
    assert phone.status_code == 422
    out = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "numbers": [1000]})
    assert out.status_code == 400
    assert out.json()["conflicts_with"] == ["raffle_id"]
