"""Sellers in the portal: a seller's own page, the raffle's leaderboard and commissions for
owners, the commissions CSV; a seller never sees another seller's buyers (pages, components,
receipts)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.tests.conftest import make_staff, unicorn_call
from portal.tests.sellers_world import World, make_world
from raffles.models import Seller, SellerCommission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def _client(user: Any, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_the_sellers_page_shows_only_her_own(world: World) -> None:
    page = _text(_client(world.ana.user).get(reverse("portal:my-sales")))
    assert 'data-testid="seller-code">ANA<' in page
    assert "?s=ANA" in page
    assert 'page.png?s=ANA" data-testid="qr-page"' in page  # her link as a QR code
    assert "S-ANA" in page  # the WhatsApp link's message
    assert "USD 20.00" in page  # cash
    assert "USD 2.00" in page  # 10 % commission
    assert "BETO" not in page
    assert "Dani" not in page


def test_the_sellers_page_in_spanish(world: World) -> None:
    page = _text(_client(world.beto.user, "es").get(reverse("portal:my-sales")))
    assert "Mis ventas" in page
    assert "USD 10,00" in page  # confirmed online
    assert "Carla" not in page


def test_a_staff_member_without_a_code_is_told_so(world: World) -> None:
    page = _text(_client(world.owner).get(reverse("portal:my-sales")))
    assert 'data-testid="no-code"' in page


@pytest.mark.parametrize("who", ["ana", "beto"])
def test_a_seller_never_sees_another_sellers_buyers(world: World, who: str) -> None:
    me = getattr(world, who)
    mine, theirs = (
        (world.ana_order, world.beto_order) if who == "ana" else (world.beto_order, world.ana_order)
    )
    client = _client(me.user)
    orders = _text(client.get(reverse("portal:orders")))
    assert mine.code in orders
    assert theirs.code not in orders
    assert client.get(reverse("portal:order", args=[theirs.code])).status_code == 404
    assert client.get(reverse("portal:order-receipt", args=[theirs.code])).status_code == 404
    own_page = client.get(reverse("portal:order", args=[mine.code]))
    assert own_page.status_code == 200
    for name in ("raffle-sellers", "export-commissions"):
        url = reverse(f"portal:{name}", args=[world.raffle.pk])
        assert client.get(url).status_code == 403
    # The components: the order list, and the detail of a number of the other's order.
    listed = unicorn_call(client, "order-list", "go", {}).dom
    assert theirs.code not in listed
    assert theirs.buyer.name not in listed
    number = theirs.numbers()[0]
    detail = unicorn_call(
        client, "ticket-detail", f"show({number})", {"raffle_id": world.raffle.pk}
    ).dom
    assert theirs.code not in detail
    assert theirs.buyer.name not in detail
    own = unicorn_call(
        client, "ticket-detail", f"show({mine.numbers()[0]})", {"raffle_id": world.raffle.pk}
    ).dom
    assert mine.code in own


def test_owners_see_the_leaderboard_and_set_commissions(world: World) -> None:
    client = _client(world.owner)
    url = reverse("portal:raffle-sellers", args=[world.raffle.pk])
    page = _text(client.get(url))
    assert page.index("ANA") < page.index("BETO")  # 20.00 before 10.00
    response = client.post(
        url, {"action": "commission", "seller_id": world.beto.pk, "percent": "7.5"}
    )
    assert response.status_code == 302
    assert SellerCommission.objects.get(seller=world.beto).percent == Decimal("7.50")
    bad = client.post(url, {"action": "commission", "seller_id": world.beto.pk, "percent": "101"})
    assert bad.status_code == 400
    assert 'data-testid="sellers-error"' in _text(bad)


def test_owners_give_a_seller_a_code(world: World) -> None:

    newbie = make_staff("newbie", "seller")
    client = _client(world.owner, "es")
    url = reverse("portal:raffle-sellers", args=[world.raffle.pk])
    assert "newbie" in _text(client.get(url))
    taken = client.post(url, {"action": "add", "user_id": newbie.pk, "code": "ana"})
    assert taken.status_code == 400
    made = client.post(
        url, {"action": "add", "user_id": newbie.pk, "code": "nico", "percent": "2,5"}
    )
    assert made.status_code == 302
    seller = Seller.objects.get(user=newbie)
    assert seller.code == "NICO"
    assert SellerCommission.objects.get(seller=seller).percent == Decimal("2.50")
    assert client.post(url, {"action": "add", "user_id": "x"}).status_code == 404


def test_a_reviewer_sees_the_leaderboard_but_changes_nothing(world: World) -> None:

    client = _client(make_staff("rita", "reviewer"))
    url = reverse("portal:raffle-sellers", args=[world.raffle.pk])
    page = _text(client.get(url))
    assert "ANA" in page
    assert 'name="percent"' not in page
    assert client.post(url, {"seller_id": world.ana.pk, "percent": "50"}).status_code == 403


@pytest.mark.parametrize(
    ("language", "header", "cash"),
    [("en", "seller code", "20.00"), ("es", "código de vendedor", "20,00")],
)
def test_the_commissions_csv(world: World, language: str, header: str, cash: str) -> None:
    client = _client(world.owner, language)
    response = client.get(reverse("portal:export-commissions", args=[world.raffle.pk]))
    rows = list(csv.reader(io.StringIO(_text(response))))
    assert rows[0][1] == header
    assert rows[1][:3] == ["1", "ANA", "ana"]
    assert rows[1][5] == cash
    assert rows[2][1] == "BETO"
    assert response["Content-Disposition"].startswith('attachment; filename="commissions-')


def test_an_order_names_its_seller(world: World) -> None:
    page = _text(_client(world.owner).get(reverse("portal:order", args=[world.beto_order.code])))
    assert 'data-testid="order-seller">BETO · ' in page


def test_refunds_are_taken_off_the_csv_and_the_sellers_page(world: World) -> None:
    from raffles import services

    services.record_refund(world.ana_order, amount="5.50", method="cash", by=world.owner)
    response = _client(world.owner).get(
        reverse("portal:export-commissions", args=[world.raffle.pk])
    )
    ana = next(row for row in csv.reader(io.StringIO(_text(response))) if row[1] == "ANA")
    assert ana[3:10] == ["1", "2", "14.50", "0.00", "14.50", "10.00", "1.45"]
    page = _text(_client(world.ana.user).get(reverse("portal:my-sales")))
    assert "14.50" in page
    assert "1.45" in page
