"""Archiving (hidden from lists and the bot, kept for records), deleting raffles nobody
bought from, and titles another raffle already uses (a warning, never a refusal)."""

from __future__ import annotations

import pytest

from raffles import selectors, services
from raffles.audit import EventKind
from raffles.exceptions import InvalidRaffleState, RaffleHasSales, RaffleNotActive
from raffles.models import OrderEvent, Raffle
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def test_an_archived_draft_leaves_the_lists_and_comes_back_when_restored():
    draft = make_raffle(active=False, generate=False, title="Old draft")
    services.archive_raffle(raffle=draft, by=None)
    draft.refresh_from_db()
    assert draft.is_archived
    assert draft not in selectors.raffles_listed()
    assert draft in selectors.raffles_listed(archived=True)
    assert draft not in Raffle.objects.listed()
    with pytest.raises(InvalidRaffleState):
        services.activate_raffle(raffle=draft)

    services.restore_raffle(raffle=draft)
    draft.refresh_from_db()
    assert not draft.is_archived
    assert draft in selectors.raffles_listed()
    kinds = list(OrderEvent.objects.filter(raffle=draft).values_list("kind", flat=True))
    assert EventKind.RAFFLE_ARCHIVED in kinds
    assert EventKind.RAFFLE_RESTORED in kinds


def test_archiving_a_selling_raffle_stops_sales_and_keeps_its_orders(buyer):
    raffle = make_raffle(size=10)
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.confirm_paid(order)
    services.archive_raffle(raffle=raffle)
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.CLOSED
    assert raffle not in selectors.selling_raffles()
    with pytest.raises(RaffleNotActive):
        services.reserve_specific(raffle.pk, [2], buyer)
    assert raffle.orders.get() == order  # kept for records


def test_archived_drawn_raffles_leave_the_buyers_results(buyer):
    raffle = make_raffle(size=10)
    services.confirm_paid(services.reserve_specific(raffle.pk, [1], buyer))
    Raffle.objects.filter(pk=raffle.pk).update(status=Raffle.Status.DRAWN)
    assert list(selectors.buyer_drawn_raffles(buyer)) == [raffle]
    services.archive_raffle(raffle=raffle)
    assert list(selectors.buyer_drawn_raffles(buyer)) == []


def test_a_raffle_nobody_bought_from_is_deleted_and_the_deletion_is_audited(buyer):
    draft = make_raffle(active=False, title="Typo raffle")
    assert selectors.raffle_can_be_deleted(draft)
    services.delete_raffle(raffle=draft, by=None)
    assert not Raffle.objects.filter(pk=draft.pk).exists()
    event = OrderEvent.objects.get(kind=EventKind.RAFFLE_DELETED)
    assert event.raffle_id is None
    assert event.details["title"] == "Typo raffle"

    sold = make_raffle(size=10)
    services.reserve_specific(sold.pk, [1], buyer)
    assert not selectors.raffle_can_be_deleted(sold)
    with pytest.raises(RaffleHasSales):
        services.delete_raffle(raffle=sold)


def test_titles_in_use_are_found_whatever_their_case_and_spaces():
    first = make_raffle(active=False, generate=False, title="Gran Rifa Navideña")
    assert list(selectors.raffles_titled("  gran rifa NAVIDEÑA ")) == [first]
    assert list(selectors.raffles_titled("Gran Rifa Navideña", exclude_id=first.pk)) == []
    assert list(selectors.raffles_titled("Otra")) == []
    services.create_raffle(title="Gran Rifa Navideña", ticket_price="1", max_number=9)  # allowed
