"""A raffle's prices page through HTTP: bundles and early-bird price typed the staff
member's way, coupons created, listed with their usage, disabled; the order shows its
discount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


def _edit(client: Client, raffle: Raffle, coupon: Coupon, **fields: str) -> Any:
    url = reverse("portal:raffle-prices", args=[raffle.pk])
    data = {"action": "edit", "coupon": coupon.pk}
    data.update({f"edit-{coupon.pk}-{name}": value for name, value in fields.items()})
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="es")


def test_each_coupon_row_edits_its_limit_and_end_date_in_spanish(
    staff_client: Client, raffle: Raffle
) -> None:
    from raffles.services.pricing import create_coupon

    coupon = create_coupon(raffle=raffle, code="PROMO", kind="percent", value="10", max_uses=50)
    url = reverse("portal:raffle-prices", args=[raffle.pk])
    page = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f'name="edit-{coupon.pk}-max_uses"' in page
    assert f'name="edit-{coupon.pk}-ends_at"' in page
    assert "Editar" in page  # the row's form, in the staff member's language
    response = _edit(staff_client, raffle, coupon, max_uses="1.500", ends_at="2090-01-08T20:00")
    assert response.status_code == 302, response.content
    coupon.refresh_from_db()
    assert coupon.max_uses == 1500
    assert coupon.ends_at is not None
    assert timezone.localtime(coupon.ends_at).strftime("%Y-%m-%dT%H:%M") == "2090-01-08T20:00"
    assert (coupon.code, coupon.value) == ("PROMO", Decimal("10.00"))
    cleared = _edit(staff_client, raffle, coupon, max_uses="", ends_at="")
    assert cleared.status_code == 302
    coupon.refresh_from_db()
    assert (coupon.max_uses, coupon.ends_at) == (None, None)


@pytest.mark.parametrize(
    ("max_uses", "ends_at", "field", "says"),
    [
        ("1", "", "max_uses", "ya contados"),  # below the 2 uses: the service's rule
        ("abc", "", "max_uses", ""),
        ("99999999999", "", "max_uses", ""),
        ("1,5", "", "max_uses", ""),
        ("", "mañana", "ends_at", ""),
        ("", "0001-01-01T00:00", "ends_at", ""),
    ],
)
def test_a_bad_coupon_edit_is_shown_next_to_its_field(
    staff_client: Client,
    raffle: Raffle,
    buyer: Any,
    max_uses: str,
    ends_at: str,
    field: str,
    says: str,
) -> None:
    from raffles.services.pricing import create_coupon

    coupon = create_coupon(raffle=raffle, code="TWICE", kind="fixed", value="1", max_uses=5)
    Coupon.objects.filter(pk=coupon.pk).update(used_count=2)
    response = _edit(staff_client, raffle, coupon, max_uses=max_uses, ends_at=ends_at)
    assert response.status_code == 200
    page = response.content.decode()
    name = f"edit-{coupon.pk}-{field}"
    assert f'class="field invalid" data-field="{field}"' in page
    assert page.index(f'name="{name}"') < page.index('class="field-error"', page.index(name) - 400)
    assert says in page
    assert "<details open" in page  # the row's form stays open with its errors
    coupon.refresh_from_db()
    assert (coupon.max_uses, coupon.ends_at) == (5, None)


def test_editing_a_coupon_of_another_raffle_is_404(staff_client: Client, raffle: Raffle) -> None:
    from raffles.services.pricing import create_coupon
    from raffles.tests.factories import make_raffle

    other = make_raffle(size=10, title="Other")
    coupon = create_coupon(raffle=other, code="ELSE", kind="fixed", value="1", max_uses=5)
    assert _edit(staff_client, raffle, coupon, max_uses="9").status_code == 404
    coupon.refresh_from_db()
    assert coupon.max_uses == 5
