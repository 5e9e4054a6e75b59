"""`reserve_replacing`: the bot's "cancel my unconfirmed order, then reserve", one transaction."""

from __future__ import annotations

import pytest

from raffles import services
from raffles.exceptions import InvalidOrderState, NumbersTaken
from raffles.models import Buyer, Order, Raffle

pytestmark = pytest.mark.django_db


def test_the_old_order_is_cancelled_and_the_new_one_made(raffle: Raffle, buyer: Buyer) -> None:
    old = services.reserve_specific(raffle.pk, [1, 2], buyer)
    new = services.reserve_replacing(
        raffle_id=raffle.pk, buyer=buyer, numbers=[2, 3], replacing=old.code
    )
    old.refresh_from_db()
    assert old.status == Order.Status.CANCELLED
    assert new.numbers() == [2, 3]


def test_a_refused_reservation_keeps_the_old_order(
    raffle: Raffle, buyer: Buyer, other_buyer: Buyer
) -> None:
    old = services.reserve_specific(raffle.pk, [1], buyer)
    services.reserve_specific(raffle.pk, [5], other_buyer)
    with pytest.raises(NumbersTaken):
        services.reserve_replacing(
            raffle_id=raffle.pk, buyer=buyer, numbers=[5], replacing=old.code
        )
    old.refresh_from_db()
    assert old.status == Order.Status.PENDING_PAYMENT
    assert old.is_holding(old.created_at)


def test_an_order_with_a_proof_is_not_replaced(raffle: Raffle, buyer: Buyer) -> None:
    old = services.reserve_specific(raffle.pk, [1], buyer)
    services.attach_payment_proof(old, content=b"%PDF-1", mime_type="application/pdf")
    with pytest.raises(InvalidOrderState):
        services.reserve_replacing(raffle_id=raffle.pk, buyer=buyer, qty=2, replacing=old.code)
    new = services.reserve_replacing(raffle_id=raffle.pk, buyer=buyer, qty=2, adding=True)
    old.refresh_from_db()
    assert old.status == Order.Status.PENDING_PAYMENT
    assert new.qty == 2


def test_another_buyers_order_is_never_replaced(
    raffle: Raffle, buyer: Buyer, other_buyer: Buyer
) -> None:
    theirs = services.reserve_specific(raffle.pk, [1], other_buyer)
    services.reserve_replacing(raffle_id=raffle.pk, buyer=buyer, numbers=[2], replacing=theirs.code)
    theirs.refresh_from_db()
    assert theirs.status == Order.Status.PENDING_PAYMENT


def test_one_unconfirmed_order_per_raffle_unless_the_buyer_adds_one(
    raffle: Raffle, buyer: Buyer, other_buyer: Buyer
) -> None:
    from django.utils import timezone

    from raffles import selectors
    from raffles.exceptions import UnconfirmedOrderExists

    first = services.reserve_specific(raffle.pk, [1], buyer)
    services.reserve_specific(raffle.pk, [9], other_buyer)
    assert selectors.unconfirmed_order_count(buyer, raffle.pk, timezone.now()) == 1
    with pytest.raises(UnconfirmedOrderExists) as refused:
        services.reserve_replacing(raffle_id=raffle.pk, buyer=buyer, numbers=[2])
    assert refused.value.codes == [first.code]
    assert selectors.unconfirmed_order_count(buyer, raffle.pk, timezone.now()) == 1
    second = services.reserve_replacing(raffle_id=raffle.pk, buyer=buyer, numbers=[2], adding=True)
    assert [o.code for o in selectors.unconfirmed_orders(buyer, raffle.pk, timezone.now())] == [
        second.code,
        first.code,
    ]
