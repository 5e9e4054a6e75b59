"""The sellers' API: owners manage codes and commissions and read the leaderboard; a seller
reads only their own links, figures and buyers, never another seller's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from config.tests.api_fixtures import ApiClient, csrf_headers
from portal.tests.sellers_world import World, make_world
from raffles.models import SellerCommission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clear_cache: None) -> World:
    return make_world()


def _session(user: Any) -> ApiClient:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = "b" * 32
    return ApiClient(client)


def test_a_seller_reads_only_their_own(world: World) -> None:
    api = _session(world.ana.user)
    me = api.get("/api/sellers/me/").json()
    assert me["seller"]["code"] == "ANA"
    row = next(r for r in me["raffles"] if r["raffle_id"] == world.raffle.pk)
    assert row["links"]["page_url"].endswith("?s=ANA")
    assert "S-ANA" in row["links"]["message"]
    assert row["figures"]["cash"] == "20.00"
    assert row["figures"]["commission"] == "2.00"
    orders = api.get("/api/sellers/me/orders/").json()
    assert [o["code"] for o in orders["items"]] == [world.ana_order.code]
    assert orders["items"][0]["seller"] == "ANA"
    assert orders["items"][0]["seller_via"] == "sale"
    text = str(me) + str(orders)
    assert "Dani" not in text
    assert world.beto_order.code not in text
    # Everything about other sellers is refused to the seller role.
    for path in (
        "/api/sellers/",
        f"/api/raffles/{world.raffle.pk}/sellers/",
        f"/api/sellers/{world.beto.pk}/raffles/{world.raffle.pk}/",
        f"/api/orders/{world.beto_order.pk}/",
        "/api/orders/",
    ):
        assert api.get(path).status_code == 403, path


def test_the_other_seller_sees_their_link_buyer(world: World) -> None:
    orders = _session(world.beto.user).get("/api/sellers/me/orders/").json()
    assert [(o["code"], o["seller_via"]) for o in orders["items"]] == [
        (world.beto_order.code, "link")
    ]
    assert "Carla" not in str(orders)


def test_owners_manage_sellers_and_read_the_leaderboard(world: World) -> None:
    api = _session(world.owner)
    headers = csrf_headers(api)
    board = api.get(f"/api/raffles/{world.raffle.pk}/sellers/").json()
    assert [(r["rank"], r["code"], r["confirmed"]) for r in board] == [
        (1, "ANA", "20.00"),
        (2, "BETO", "10.00"),
    ]
    put = api.put(
        f"/api/sellers/{world.beto.pk}/raffles/{world.raffle.pk}/",
        {"percent": "12.5"},
        headers=headers,
    )
    assert put.status_code == 200, put.content
    assert put.json()["commission"] == "1.25"
    assert SellerCommission.objects.get(seller=world.beto).percent == Decimal("12.50")
    taken = api.post("/api/sellers/", {"user_id": world.owner.pk, "code": "ana"}, headers=headers)
    assert taken.status_code == 409
    assert taken.json()["code"] == "seller_refused"
    made = api.post("/api/sellers/", {"user_id": world.owner.pk, "code": "olga"}, headers=headers)
    assert made.json()["code"] == "OLGA"
    codes = [s["code"] for s in api.get("/api/sellers/").json()["items"]]
    assert codes == ["ANA", "BETO", "OLGA"]
    order = api.get(f"/api/orders/{world.beto_order.pk}/").json()
    assert (order["seller"], order["seller_via"]) == ("BETO", "link")


def test_an_api_key_is_no_seller(world: World, api: ApiClient) -> None:
    assert api.get("/api/sellers/me/").status_code == 404
    assert api.get("/api/sellers/me/orders/").status_code == 404


def test_the_figures_are_net_of_refunds(world: World) -> None:
    from raffles import services

    services.record_refund(world.beto_order, amount="4", method="transfer", by=world.owner)
    board = _session(world.owner).get(f"/api/raffles/{world.raffle.pk}/sellers/").json()
    beto = next(row for row in board if row["code"] == "BETO")
    assert (beto["online"], beto["confirmed"], beto["commission"]) == ("6.00", "6.00", "0.30")
    assert beto["orders"] == 1
