"""Winners' claims: the draw opens one per winning paid order; the winner registers it by
the deadline; staff move it on; every change is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from raffles import selectors, services
from raffles.exceptions import ClaimClosed, InvalidInput
from raffles.models import ClaimStatus, OrderEvent, WinnerClaim
from raffles.tests.drawing import closed_raffle

pytestmark = pytest.mark.django_db


def drawn(*sold, prizes=1, **fields):
    raffle = closed_raffle(*sold, **fields)
    draw = services.draw_raffle(raffle, external_value="block 123", prizes=prizes)
    raffle.refresh_from_db()
    return raffle, draw


def test_each_winning_order_gets_one_open_claim_with_its_numbers_and_places(settings):
    settings.CLAIM_DAYS = 10
    raffle, draw = drawn([1, 2, 3], [4], [5], prizes=3)
    claims = list(selectors.raffle_claims(raffle))
    won = {n for c in claims for n in c.numbers}
    assert won == set(draw.winners)
    assert sorted(p for c in claims for p in c.places) == [1, 2, 3]
    assert len({c.order_id for c in claims}) == len(claims)
    for claim in claims:
        assert claim.status == ClaimStatus.OPEN
        assert claim.deadline == draw.drawn_at + timedelta(days=10)
        for number in claim.numbers:
            assert int(number) in claim.order.numbers()
    assert OrderEvent.objects.filter(raffle=raffle, kind="claim_opened").count() == len(claims)


def test_a_raffle_may_give_its_own_days_to_claim():
    raffle, draw = drawn([7], claim_days=3)
    claim = WinnerClaim.objects.get(raffle=raffle)
    assert claim.deadline == draw.drawn_at + timedelta(days=3)


def test_drawing_again_opens_nothing_new():
    raffle, _draw = drawn([1], [2])
    services.draw_raffle(raffle, external_value="block 123", prizes=1)
    assert WinnerClaim.objects.filter(raffle=raffle).count() == 1


def test_the_winner_claims_in_her_name_once():
    raffle, _draw = drawn([1])
    claim = WinnerClaim.objects.get(raffle=raffle)
    done = services.register_claim(claim, name="  Ana   María ")
    assert done.status == ClaimStatus.CLAIMED
    assert done.claimed_name == "Ana María"
    again = services.register_claim(claim, name="Someone else")
    assert again.claimed_name == "Ana María"
    assert OrderEvent.objects.filter(order=claim.order, kind="claim_registered").count() == 1


def test_a_claim_past_its_deadline_is_expired_and_refused():
    raffle, _draw = drawn([1])
    claim = WinnerClaim.objects.get(raffle=raffle)
    WinnerClaim.objects.filter(pk=claim.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    claim.refresh_from_db()
    assert claim.effective_status() == ClaimStatus.EXPIRED
    assert not claim.is_claimable()
    with pytest.raises(ClaimClosed):
        services.register_claim(claim, name="Ana")


def test_staff_deliver_with_a_note_and_it_is_audited(staff_user):
    staff = staff_user
    raffle, _draw = drawn([1])
    claim = WinnerClaim.objects.get(raffle=raffle)
    done = services.update_claim(claim, status="delivered", note="Picked up at the shop", by=staff)
    assert done.delivered_at is not None
    assert done.staff_note == "Picked up at the shop"
    event = OrderEvent.objects.get(order=claim.order, kind="claim_updated")
    assert event.actor_user == staff
    assert event.details["status"] == "delivered"
    with pytest.raises(InvalidInput):
        services.update_claim(claim, status="lost", by=staff)


def test_buyer_claims_lists_hers():
    raffle, _draw = drawn([1])
    claim = WinnerClaim.objects.get(raffle=raffle)
    assert list(selectors.buyer_claims(claim.order.buyer)) == [claim]
