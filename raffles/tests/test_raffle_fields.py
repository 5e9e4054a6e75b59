"""A raffle's fields are checked all at once: every error, each on its field, with the rules
across fields (per-order limit within the raffle, per-buyer limit not below per-order, the
draw not in the past)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from raffles import services
from raffles.exceptions import InvalidInput
from raffles.models import Raffle
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def errors_of(**fields) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        services.create_raffle(**fields)
    errors = caught.value.fields["field_errors"]
    assert caught.value.fields["field"] == next(iter(errors))
    return errors


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(
        title=" ",
        ticket_price="abc",
        max_number=9,
        currency="dollars",
        reservation_minutes=0,
        max_tickets_per_order=0,
    )
    assert set(errors) == {
        "title",
        "ticket_price",
        "currency",
        "reservation_minutes",
        "max_tickets_per_order",
    }
    assert not Raffle.objects.exists()


def test_rules_across_fields_are_reported_together():
    past = timezone.now() - timedelta(days=1)
    errors = errors_of(
        title="Rifa",
        ticket_price="1",
        max_number=99,
        max_tickets_per_order=5000,
        max_tickets_per_buyer=2,
        draw_at=past,
    )
    assert "100 numbers" in errors["max_tickets_per_order"]
    assert "draw_at" in errors
    # the per-buyer rule compares with a per-order limit that is itself wrong: not reported
    assert "max_tickets_per_buyer" not in errors
    errors = errors_of(
        title="Rifa", ticket_price="1", max_number=99, max_tickets_per_order=10,
        max_tickets_per_buyer=2,
    )  # fmt: skip
    assert "per order (10)" in errors["max_tickets_per_buyer"]


def test_a_past_draw_date_is_refused_only_when_set_or_changed():
    raffle = make_raffle(size=10, active=False, generate=False, max_tickets_per_order=5)
    past = timezone.now() - timedelta(days=1)
    Raffle.objects.filter(pk=raffle.pk).update(draw_at=past)  # the day went by
    services.update_raffle(raffle=raffle, title="Renamed", draw_at=past)  # unchanged: fine
    with pytest.raises(InvalidInput) as caught:
        services.update_raffle(raffle=raffle, draw_at=past - timedelta(days=1))
    assert caught.value.fields["field"] == "draw_at"


def test_a_change_is_checked_against_the_stored_fields():
    raffle = make_raffle(size=10, active=False, generate=False, max_tickets_per_order=5)
    with pytest.raises(InvalidInput) as caught:
        services.update_raffle(raffle=raffle, max_tickets_per_order=11)
    assert caught.value.fields["field"] == "max_tickets_per_order"
    with pytest.raises(InvalidInput):
        services.update_raffle(raffle=raffle, max_tickets_per_buyer=4)
    services.update_raffle(raffle=raffle, max_tickets_per_buyer=5)


def test_the_api_answers_every_field_error(api):
    body = {"title": "Rifa", "ticket_price": "1", "max_number": 99, "max_tickets_per_order": 500,
            "max_tickets_per_buyer": 1}  # fmt: skip
    response = api.post("/api/raffles/", body)
    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {"max_tickets_per_order"}


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"max_tickets_per_order": 0}, "max_tickets_per_order", "Maximum tickets per order"),
        ({"reservation_minutes": -1}, "reservation_minutes", "Reservation time (minutes)"),
        ({"max_number": "ten"}, "max_number", "Last number"),
        ({"max_tickets_per_buyer": 0}, "max_tickets_per_buyer", "Maximum tickets per buyer"),
        ({"claim_days": 0}, "claim_days", "Days to claim a prize"),
        ({"draw_at": "tomorrow"}, "draw_at", "Draw date"),
    ],
)
def test_errors_name_the_field_as_people_read_it(fields, field, text):
    errors = errors_of(**{"title": "Car", "ticket_price": "1", "max_number": 99, **fields})
    assert text in errors[field]
    assert field not in errors[field]


def test_errors_are_translated_without_internal_names():
    from django.utils import translation

    with translation.override("es"):
        errors = errors_of(title="Car", ticket_price="1", max_number=99, max_tickets_per_order=0)
    assert errors["max_tickets_per_order"] == "Máximo de boletos por pedido debe ser al menos 1"
