from __future__ import annotations

from decimal import Decimal

import pytest

from raffles import services
from raffles.exceptions import InvalidInput, InvalidRaffleState, RaffleHasSales, TicketsNotGenerated
from raffles.models import Raffle, TicketNumber
from raffles.selectors import compact_ranges, raffle_counts
from raffles.services.raffles import INSERT_RANGE_SQL  # noqa: F401
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def test_table_name_matches_generation_sql():
    assert TicketNumber._meta.db_table == "raffles_ticketnumber"


def test_generate_is_idempotent_and_complete():
    raffle = services.create_raffle(title="R", ticket_price="5", min_number=1, max_number=2500)
    assert services.generate_tickets(raffle, batch_size=1000) == 2500
    assert services.generate_tickets(raffle) == 0
    raffle.refresh_from_db()
    assert raffle.generation_status == Raffle.Generation.DONE
    assert raffle.generated_count == 2500
    numbers = list(TicketNumber.objects.filter(raffle=raffle).values_list("number", flat=True))
    assert numbers == list(range(1, 2501))


def test_generation_fills_gaps_after_a_crash():
    raffle = services.create_raffle(title="R", ticket_price="5", max_number=99)
    services.generate_tickets(raffle)
    TicketNumber.objects.filter(raffle=raffle, number__gte=50).delete()
    Raffle.objects.filter(pk=raffle.pk).update(generation_status=Raffle.Generation.RUNNING)
    assert services.generate_tickets(raffle) == 50


def test_format_number():
    raffle = services.create_raffle(title="R", ticket_price="5", max_number=999)
    assert raffle.format_number(7) == "007"
    assert services.create_raffle(title="S", ticket_price=1, max_number=99).format_number(5) == "05"


@pytest.mark.parametrize(
    "fields",
    [
        {"max_number": 1_000_000, "min_number": 0},
        {"max_number": 5, "min_number": 6},
        {"ticket_price": "-1"},
        {"ticket_price": "abc"},
        {"currency": "dollars"},
        {"title": ""},
        {"reservation_minutes": 0},
    ],
)
def test_invalid_raffles(fields):
    data = {"title": "R", "ticket_price": "5", "max_number": 99, **fields}
    with pytest.raises(InvalidInput):
        services.create_raffle(**data)


def test_activation_needs_numbers():
    raffle = services.create_raffle(title="R", ticket_price="5", max_number=9)
    with pytest.raises(TicketsNotGenerated):
        services.activate_raffle(raffle=raffle)


def test_range_is_frozen_once_generated():
    raffle = make_raffle(active=False)
    with pytest.raises(InvalidRaffleState):
        services.update_raffle(raffle=raffle, max_number=200)
    raffle = services.update_raffle(raffle=raffle, ticket_price=Decimal("3.5"))
    assert raffle.ticket_price == Decimal("3.50")


def test_close_and_delete(buyer):
    raffle = make_raffle()
    services.reserve_specific(raffle.pk, [1], buyer)
    with pytest.raises(RaffleHasSales):
        services.delete_raffle(raffle=raffle)
    raffle = services.close_raffle(raffle)
    assert raffle.status == Raffle.Status.CLOSED
    assert not raffle.is_active
    empty = make_raffle()
    services.delete_raffle(raffle=empty)
    assert not Raffle.objects.filter(pk=empty.pk).exists()


def test_counts_treat_expired_holds_as_free(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    assert raffle_counts(raffle) == raffle_counts(raffle).__class__(98, 2, 0)
    assert (
        raffle_counts(raffle, order.expires_at + order.expires_at.resolution * 10**6).reserved == 0
    )


def test_counts_while_numbers_are_still_being_generated(db):
    raffle = make_raffle(size=100, active=False)
    TicketNumber.objects.filter(raffle=raffle, number__gte=40).delete()
    Raffle.objects.filter(pk=raffle.pk).update(generation_status=Raffle.Generation.RUNNING)
    raffle.refresh_from_db()
    assert raffle_counts(raffle) == raffle_counts(raffle).__class__(40, 0, 0)


@pytest.mark.parametrize("sold", [0, 60])  # read from the taken side, then the free side
def test_available_ranges_from_either_side(buyer, other_buyer, sold, db):
    from datetime import timedelta

    from django.utils import timezone

    from raffles.selectors import available_numbers, available_ranges

    raffle = make_raffle(size=100, min_number=1, max_tickets_per_order=100)
    if sold:
        paid = services.reserve_specific(raffle.pk, list(range(30, 30 + sold)), other_buyer)
        services.confirm_paid(paid)
    services.reserve_specific(raffle.pk, [1, 2, 95, 100], buyer)
    lapsed = services.reserve_specific(raffle.pk, [10], other_buyer)
    TicketNumber.objects.filter(reserved_by_order=lapsed).update(
        reserved_until=timezone.now() - timedelta(seconds=1)
    )
    proof = services.reserve_specific(raffle.pk, [20], other_buyer)
    TicketNumber.objects.filter(reserved_by_order=proof).update(reserved_until=None)
    expected = compact_ranges(available_numbers(raffle))
    assert available_ranges(raffle, raffle_counts(raffle)) == expected
    assert (3, 19) in expected  # the lapsed hold on 10 is free, the held 20 is not


def test_compact_ranges():
    assert compact_ranges([1, 2, 3, 7, 9, 10]) == [(1, 3), (7, 7), (9, 10)]


def test_a_price_that_rounds_up_to_the_limit_is_refused(db):
    """Checked after rounding to cents: 9999999999.999 is 10,000,000,000.00, too large for
    the column (PostgreSQL answered a numeric overflow)."""
    with pytest.raises(InvalidInput):
        services.create_raffle(title="x", ticket_price="9999999999.999", max_number=9)
