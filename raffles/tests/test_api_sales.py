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


def test_a_sale_with_a_coupon(api, raffle) -> None:
    from raffles.services.pricing import create_coupon

    create_coupon(raffle=raffle, code="FAIR", kind="percent", value="50", max_uses=1)
    body = {"numbers": [3, 4], "buyer_name": "Ana", "coupon": "fair"}
    response = api.post(f"/api/raffles/{raffle.pk}/sales/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["coupon_code"], data["total_amount"]) == ("PAID", "FAIR", "10.00")
    used_up = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "numbers": [5]})
    assert used_up.status_code == 409, used_up.content
    error = used_up.json()
    assert (error["code"], error["reason"], error["field"]) == (
        "coupon_unusable",
        "used_up",
        "coupon",
    )
    assert "FAIR" in error["detail"]
    assert TicketNumber.objects.get(raffle=raffle, number=5).status == "AVAILABLE"
    assert Order.objects.count() == 1


def test_a_sale_with_an_unknown_or_expired_coupon_sells_nothing(api, raffle) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from raffles.services.pricing import create_coupon

    ended = timezone.now() - timedelta(days=1)
    create_coupon(raffle=raffle, code="OLD", kind="fixed", value="1", ends_at=ended)
    body = {"numbers": [7], "buyer_name": "Bo", "paid": False}
    unknown = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "coupon": "NOPE"})
    assert unknown.status_code == 404, unknown.content
    error = unknown.json()
    assert (error["code"], error["coupon_code"], error["field"]) == (
        "coupon_not_found",
        "NOPE",
        "coupon",
    )
    expired = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "coupon": "old"})
    assert expired.status_code == 409
    assert (expired.json()["code"], expired.json()["reason"]) == ("coupon_unusable", "expired")
    garbage = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "coupon": "no spaces!"})
    assert garbage.status_code == 422
    assert not Order.objects.exists()
    none = api.post(f"/api/raffles/{raffle.pk}/sales/", {**body, "coupon": None})
    assert none.status_code == 201, none.content
    assert none.json()["coupon_code"] == ""
