"""Prices, quotes and coupons over HTTP."""

from __future__ import annotations

import pytest

from raffles import services
from raffles.models import Coupon

pytestmark = pytest.mark.django_db

BUNDLES = {"tiers": [{"quantity": 3, "price": "25.00"}, {"quantity": 10, "price": 70}]}


def test_set_and_read_prices(api, raffle) -> None:
    url = f"/api/raffles/{raffle.pk}/prices/"
    response = api.put(
        url, {**BUNDLES, "early_bird_price": "8", "early_bird_until": "2090-01-01T00:00:00Z"}
    )
    assert response.status_code == 200, response.content
    data = api.get(url).json()
    assert [(t["quantity"], t["price"]) for t in data["tiers"]] == [(3, "25.00"), (10, "70.00")]
    assert (data["early_bird_price"], data["early_bird_active"]) == ("8.00", True)


def test_bad_prices_name_the_conflict(api, raffle) -> None:
    url = f"/api/raffles/{raffle.pk}/prices/"
    response = api.put(url, {"tiers": [{"quantity": 3, "price": "30"}]})
    assert response.status_code == 400
    assert response.json()["conflicts_with"] == ["ticket_price"]
    assert api.put(url, {"tiers": [{"quantity": 1, "price": "3"}]}).status_code == 422


def test_quote_with_bundles_and_a_coupon(api, raffle) -> None:
    api.put(f"/api/raffles/{raffle.pk}/prices/", BUNDLES)
    created = api.post(
        f"/api/raffles/{raffle.pk}/coupons/",
        {"code": "Save10", "kind": "percent", "value": 10, "max_uses": 2},
    )
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "SAVE10"
    data = api.get(f"/api/raffles/{raffle.pk}/quote/?qty=4&coupon=save10").json()
    assert (data["list_price"], data["subtotal"], data["total"]) == ("40.00", "35.00", "31.50")
    assert [line["kind"] for line in data["lines"]] == ["bundle", "coupon"]
    assert api.get(f"/api/raffles/{raffle.pk}/quote/?qty=4&coupon=NOPE").status_code == 404
    again = api.post(
        f"/api/raffles/{raffle.pk}/coupons/", {"code": "save10", "kind": "fixed", "value": 1}
    )
    assert again.status_code == 409


def test_apply_a_coupon_to_an_order_and_see_it_in_the_order(api, raffle, buyer) -> None:
    api.put(f"/api/raffles/{raffle.pk}/prices/", BUNDLES)
    api.post(f"/api/raffles/{raffle.pk}/coupons/", {"code": "FIVE", "kind": "fixed", "value": 5})
    order = services.reserve_specific(raffle.pk, [1, 2, 3], buyer)
    response = api.post(f"/api/orders/{order.pk}/coupon/", {"code": "five"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["list_amount"], data["discount_amount"], data["total_amount"]) == (
        "30.00",
        "10.00",
        "20.00",
    )
    assert (data["coupon_code"], data["coupon_discount"]) == ("FIVE", "5.00")
    assert api.post(f"/api/orders/{order.pk}/coupon/", {"code": "five"}).status_code == 409
    listed = api.get(f"/api/raffles/{raffle.pk}/coupons/").json()
    assert listed[0]["used_count"] == 1


def test_disable_a_coupon(api, raffle, buyer) -> None:
    coupon = api.post(
        f"/api/raffles/{raffle.pk}/coupons/", {"code": "X1", "kind": "fixed", "value": 1}
    ).json()
    url = f"/api/raffles/{raffle.pk}/coupons/{coupon['id']}/"
    assert api.patch(url, {"active": False}).json()["active"] is False
    assert Coupon.objects.get().active is False
    order = services.reserve_specific(raffle.pk, [7], buyer)
    refused = api.post(f"/api/orders/{order.pk}/coupon/", {"code": "x1"})
    assert (refused.status_code, refused.json()["reason"]) == (409, "disabled")
    assert (
        api.patch(f"/api/raffles/{raffle.pk}/coupons/999999/", {"active": True}).status_code == 404
    )


def _coupon(api, raffle, **extra) -> dict:
    body = {"code": "EDIT", "kind": "percent", "value": 10, **extra}
    created = api.post(f"/api/raffles/{raffle.pk}/coupons/", body)
    assert created.status_code == 201, created.content
    return created.json()


def test_edit_a_coupons_limit_and_end_date(api, raffle) -> None:
    coupon = _coupon(api, raffle, max_uses=50, ends_at="2090-01-01T00:00:00Z")
    url = f"/api/raffles/{raffle.pk}/coupons/{coupon['id']}/"
    response = api.patch(url, {"max_uses": 100, "ends_at": "2090-01-08T00:00:00Z"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["max_uses"], data["remaining"], data["ends_at"][:10]) == (100, 100, "2090-01-08")
    assert (data["code"], data["value"], data["active"]) == ("EDIT", "10.00", True)
    kept = api.patch(url, {"ends_at": None}).json()  # only what is sent changes
    assert (kept["max_uses"], kept["ends_at"]) == (100, None)
    cleared = api.patch(url, {"max_uses": None}).json()
    assert (cleared["max_uses"], cleared["remaining"]) == (None, None)
    assert api.patch(url, {}).json()["id"] == coupon["id"]  # nothing sent: nothing changes


def test_edit_refuses_a_limit_below_the_uses_and_what_never_changes(api, raffle, buyer) -> None:
    coupon = _coupon(api, raffle, max_uses=5)
    order = services.reserve_specific(raffle.pk, [1], buyer)
    api.post(f"/api/orders/{order.pk}/coupon/", {"code": "edit"})
    url = f"/api/raffles/{raffle.pk}/coupons/{coupon['id']}/"
    Coupon.objects.filter(pk=coupon["id"]).update(used_count=3)  # two more uses elsewhere
    below = api.patch(url, {"max_uses": 2})
    assert below.status_code == 400
    assert (below.json()["code"], below.json()["field"]) == ("invalid", "max_uses")
    assert Coupon.objects.get().max_uses == 5
    for body in ({"max_uses": 0}, {"max_uses": "9"}, {"value": 50}, {"code": "X"}):
        assert api.patch(url, body).status_code == 422, body
    missing = api.patch(f"/api/raffles/{raffle.pk}/coupons/999999/", {"max_uses": 9})
    assert missing.status_code == 404


@pytest.mark.parametrize("role", ["seller", "reviewer", "viewer"])
def test_only_owners_edit_coupons(api, raffle, role) -> None:
    from django.test import Client

    from config.tests.api_fixtures import ApiClient
    from portal.services import create_api_key

    coupon = _coupon(api, raffle, max_uses=5)
    _, raw = create_api_key(name=f"{role} key", read_only=False, role=role)
    other = ApiClient(Client(), {"Authorization": f"Bearer {raw}"})
    url = f"/api/raffles/{raffle.pk}/coupons/{coupon['id']}/"
    refused = other.patch(url, {"max_uses": 500})
    assert (refused.status_code, refused.json()["code"]) == (403, "role_refused")
    assert Coupon.objects.get().max_uses == 5
