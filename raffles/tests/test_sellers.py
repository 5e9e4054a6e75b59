"""Sellers: codes, commissions, the one rule of who gets credit for an order, and the
figures (cash, confirmed online, commission, leaderboard)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from raffles import services
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput, SellerRefused
from raffles.models import Buyer, OrderAttribution, OrderEvent, Raffle, SaleMethod, Seller
from raffles.selectors_sellers import (
    leaderboard,
    orders_credited_to,
    seller_figures,
    seller_raffles,
)
from raffles.services import SaleBuyer, sellers
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db
Via = OrderAttribution.Via


def _staff(name: str) -> Any:
    return get_user_model().objects.create_user(name, password="x", is_staff=True)


@pytest.fixture
def ana() -> Seller:
    return sellers.save_seller(user=_staff("ana"), code="ana", by=None)


@pytest.fixture
def beto() -> Seller:
    return sellers.save_seller(user=_staff("beto"), code="BETO", by=None)


@pytest.mark.parametrize("typed", ["ana", "#S-ANA", " s-ana ", "ANA"])
def test_codes_are_read_as_people_type_them(typed: str) -> None:
    assert sellers.clean_code(typed) == "ANA"


@pytest.mark.parametrize("typed", ["", "A", "ANA LOPEZ", "ÑANDÚ", "X" * 13, "A-B"])
def test_bad_codes_are_refused(typed: str) -> None:
    assert sellers.clean_code(typed) == ""
    with pytest.raises(InvalidInput):
        sellers.save_seller(user=_staff("x"), code=typed, by=None)


def test_a_code_belongs_to_one_seller(ana: Seller) -> None:
    with pytest.raises(SellerRefused, match="Another seller"):
        sellers.save_seller(user=_staff("other"), code="ANA", by=None)
    changed = sellers.save_seller(user=ana.user, code="ANITA", by=ana.user)
    assert changed.pk == ana.pk
    assert changed.code == "ANITA"
    assert OrderEvent.objects.filter(kind=EventKind.SELLER_SAVED).count() == 2


def test_only_staff_can_sell() -> None:
    user = get_user_model().objects.create_user("buyer", password="x")
    with pytest.raises(SellerRefused):
        sellers.save_seller(user=user, code="BUY", by=None)


@pytest.mark.parametrize("percent", ["-1", "100.01", "abc", "NaN", "1.005"])
def test_commission_is_a_percentage(ana: Seller, raffle: Raffle, percent: str) -> None:
    with pytest.raises(InvalidInput):
        sellers.set_commission(seller=ana, raffle=raffle, percent=percent, by=None)


def test_commission_is_set_per_raffle(ana: Seller, raffle: Raffle) -> None:
    other = make_raffle(size=10)
    sellers.set_commission(seller=ana, raffle=raffle, percent="10", by=None)
    sellers.set_commission(seller=ana, raffle=raffle, percent="12,5", by=None)
    sellers.set_commission(seller=ana, raffle=other, percent=Decimal("3"), by=None)
    assert seller_figures(ana, raffle).percent == Decimal("12.50")
    assert seller_figures(ana, other).percent == Decimal("3.00")
    assert OrderEvent.objects.filter(kind=EventKind.SELLER_COMMISSION_SET).count() == 3


def test_a_buyer_from_a_link_is_credited_last_touch(
    ana: Seller, beto: Seller, raffle: Raffle, buyer: Buyer
) -> None:
    sellers.record_referral(buyer=buyer, code="ANA", raffle_id=raffle.pk)
    first = services.reserve_specific(raffle.pk, [1], buyer)
    sellers.record_referral(buyer=buyer, code="BETO", raffle_id=None)  # later, no raffle
    second = services.reserve_specific(raffle.pk, [2], buyer)
    assert OrderAttribution.objects.get(order=first).seller == ana
    assert OrderAttribution.objects.get(order=second).seller == beto
    assert sellers.record_referral(buyer=buyer, code="NOPE", raffle_id=None) is None


def test_a_referral_for_one_raffle_does_not_credit_another(
    ana: Seller, raffle: Raffle, buyer: Buyer
) -> None:
    other = make_raffle(size=10)
    sellers.record_referral(buyer=buyer, code="ANA", raffle_id=other.pk)
    order = services.reserve_specific(raffle.pk, [1], buyer)
    assert not OrderAttribution.objects.filter(order=order).exists()


def test_a_sellers_cash_sale_is_theirs_even_for_anothers_buyer(
    ana: Seller, beto: Seller, raffle: Raffle
) -> None:
    buyer = services.get_or_create_buyer(phone="+5491100000001", name="Carla")
    sellers.record_referral(buyer=buyer, code="BETO", raffle_id=raffle.pk)
    order = services.sell_offline(
        raffle=raffle,
        numbers=[5],
        buyer=SaleBuyer("Carla", "+5491100000001"),
        paid=True,
        by=ana.user,
    )
    credit = OrderAttribution.objects.get(order=order)
    assert (credit.seller, credit.via) == (ana, Via.CASH_SALE)


def test_a_sale_by_staff_who_is_no_seller_keeps_the_links_credit(
    beto: Seller, raffle: Raffle
) -> None:
    owner = _staff("owner")
    buyer = services.get_or_create_buyer(phone="+5491100000002", name="Dani")
    sellers.record_referral(buyer=buyer, code="BETO", raffle_id=raffle.pk)
    order = services.sell_offline(
        raffle=raffle, numbers=[6], buyer=SaleBuyer("Dani", "+5491100000002"), paid=False, by=owner
    )
    assert OrderAttribution.objects.get(order=order).via == Via.LINK
    walk_in = services.sell_offline(
        raffle=raffle, numbers=[7], buyer=SaleBuyer("Eva"), paid=True, by=owner
    )
    assert not OrderAttribution.objects.filter(order=walk_in).exists()


def test_figures_cash_online_commission_and_leaderboard(ana: Seller, beto: Seller) -> None:
    raffle = make_raffle(size=100, ticket_price=Decimal("10.00"))
    sellers.set_commission(seller=ana, raffle=raffle, percent="10", by=None)
    sellers.set_commission(seller=beto, raffle=raffle, percent="5", by=None)
    # Ana: a cash sale of 3 numbers (30), a transfer of 1 (10), an unpaid sale of 1.
    services.sell_offline(
        raffle=raffle, numbers=[1, 2, 3], buyer=SaleBuyer("A"), paid=True, by=ana.user
    )
    services.sell_offline(
        raffle=raffle,
        numbers=[4],
        buyer=SaleBuyer("B"),
        paid=True,
        method=SaleMethod.TRANSFER,
        by=ana.user,
    )
    services.sell_offline(raffle=raffle, numbers=[5], buyer=SaleBuyer("C"), paid=False, by=ana.user)
    # Beto: two link buyers, one paid (5 numbers = 50), one not.
    for numbers, pay in (([10, 11, 12, 13, 14], True), ([20], False)):
        buyer = BuyerFactory()
        sellers.record_referral(buyer=buyer, code="BETO", raffle_id=raffle.pk)
        order = services.reserve_specific(raffle.pk, numbers, buyer)
        if pay:
            services.confirm_paid(order, by=None)
    a, b = seller_figures(ana, raffle), seller_figures(beto, raffle)
    assert (a.orders, a.numbers, a.pending) == (2, 4, 1)
    assert (a.cash, a.online, a.commission) == (Decimal("30"), Decimal("10"), Decimal("4.00"))
    assert (b.orders, b.numbers, b.pending) == (1, 5, 1)
    assert (b.cash, b.online, b.commission) == (Decimal("0"), Decimal("50"), Decimal("2.50"))
    board = leaderboard(raffle)
    assert [(f.rank, f.code) for f in board] == [(1, "BETO"), (2, "ANA")]
    assert orders_credited_to(ana.pk).count() == 3
    assert raffle in seller_raffles(ana)


def test_a_seller_with_nothing_yet_has_zero_figures(ana: Seller, raffle: Raffle) -> None:
    figures = seller_figures(ana, raffle)
    assert (figures.orders, figures.confirmed, figures.commission) == (0, 0, 0)
    assert leaderboard(raffle) == []


def test_refunds_are_taken_off_cash_online_and_commission(ana: Seller, beto: Seller) -> None:
    raffle = make_raffle(size=100, ticket_price=Decimal("10.00"))
    sellers.set_commission(seller=ana, raffle=raffle, percent="10", by=None)
    sellers.set_commission(seller=beto, raffle=raffle, percent="10", by=None)
    # Ana: a cash sale of 30 with two partial refunds (5 + 2.50), a cash sale of 10 fully
    # refunded, and a transfer of 20 with none.
    cash = services.sell_offline(
        raffle=raffle, numbers=[1, 2, 3], buyer=SaleBuyer("A"), paid=True, by=ana.user
    )
    services.record_refund(cash, amount="5", method="cash", by=None)
    services.record_refund(cash, amount="2.50", method="cash", by=None)
    whole = services.sell_offline(
        raffle=raffle, numbers=[4], buyer=SaleBuyer("B"), paid=True, by=ana.user
    )
    services.record_refund(whole, amount="10", method="cash", by=None)
    services.sell_offline(
        raffle=raffle,
        numbers=[5, 6],
        buyer=SaleBuyer("C"),
        paid=True,
        method=SaleMethod.TRANSFER,
        by=ana.user,
    )
    # Beto: a link buyer paid 50 online, then got 20 back.
    buyer = BuyerFactory()
    sellers.record_referral(buyer=buyer, code="BETO", raffle_id=raffle.pk)
    online = services.confirm_paid(
        services.reserve_specific(raffle.pk, [10, 11, 12, 13, 14], buyer), by=None
    )
    services.record_refund(online, amount="20", method="transfer", by=None)
    a, b = seller_figures(ana, raffle), seller_figures(beto, raffle)
    assert (a.orders, a.numbers) == (3, 6)  # a refunded order still counts as a paid sale
    assert (a.cash, a.online, a.confirmed) == (Decimal("22.50"), Decimal("20"), Decimal("42.50"))
    assert a.commission == Decimal("4.25")
    assert (b.cash, b.online, b.commission) == (Decimal("0"), Decimal("30"), Decimal("3.00"))
    board = {f.code: f for f in leaderboard(raffle)}
    assert (board["ANA"].confirmed, board["BETO"].confirmed) == (Decimal("42.50"), Decimal("30"))
    assert [f.code for f in leaderboard(raffle)] == ["ANA", "BETO"]
