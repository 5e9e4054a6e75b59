"""A raffle's prices page through HTTP: bundles and early-bird price typed the staff
member's way, coupons created, listed with their usage, disabled; the order shows its
discount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from raffles import services
from raffles.models import Coupon, Raffle
from raffles.services.pricing import apply_coupon

pytestmark = pytest.mark.django_db


def test_owner_sets_bundles_in_spanish(staff_client: Client, raffle: Raffle) -> None:
    url = reverse("portal:raffle-prices", args=[raffle.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "action": "prices",
            "tier_1_quantity": "3",
            "tier_1_price": "25,50",
            "tier_2_quantity": "10",
            "tier_2_price": "70",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302, response.content
    raffle.refresh_from_db()
    assert [(t.quantity, t.price) for t in raffle.tiers] == [(3, Decimal("25.50")), (10, 70)]
    page = staff_client.get(url + "?saved=1").content.decode()
    assert 'data-testid="saved"' in page
    assert "35.50" in page  # 4 numbers: a bundle and a single


def test_bad_bundle_is_shown_inline(staff_client: Client, raffle: Raffle) -> None:
    url = reverse("portal:raffle-prices", args=[raffle.pk])
    response = staff_client.post(
        url, {"action": "prices", "tier_1_quantity": "3", "tier_1_price": "40"}
    )
    assert response.status_code == 200
    assert "must cost less" in response.content.decode()
    half = staff_client.post(url, {"action": "prices", "tier_1_quantity": "3"})
    assert "Fill in both" in half.content.decode()


def test_coupons_create_list_and_disable(staff_client: Client, raffle: Raffle, buyer: Any) -> None:
    url = reverse("portal:raffle-prices", args=[raffle.pk])
    response = staff_client.post(
        url,
        {"action": "coupon", "code": "save10", "kind": "percent", "value": "10", "max_uses": "3"},
    )
    assert response.status_code == 302, response.content
    coupon = Coupon.objects.get()
    order = services.reserve_specific(raffle.pk, [1], buyer)
    apply_coupon(order=order, code="SAVE10")
    page = staff_client.get(url).content.decode()
    assert 'data-testid="coupon-SAVE10"' in page
    assert "1 / 3" in page
    staff_client.post(url, {"action": "disable", "coupon": coupon.pk})
    coupon.refresh_from_db()
    assert coupon.active is False
    taken = staff_client.post(
        url, {"action": "coupon", "code": "SAVE10", "kind": "fixed", "value": "1"}
    )
    assert "already has a coupon" in taken.content.decode()
    receipt = staff_client.get(reverse("portal:order-receipt", args=[order.code])).content
    assert b"SAVE10" in receipt


def test_every_bundle_set_through_the_api_stays_editable(
    staff_client: Client, raffle: Raffle
) -> None:
    from raffles.services.pricing import set_prices

    set_prices(raffle=raffle, tiers=[{"quantity": q, "price": str(q * 9)} for q in range(2, 8)])
    page = staff_client.get(reverse("portal:raffle-prices", args=[raffle.pk])).content.decode()
    assert 'name="tier_6_quantity"' in page
    assert 'name="tier_7_quantity"' in page  # one empty row to add another
