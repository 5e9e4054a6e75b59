"""The OpenAPI document says exactly what validation accepts (schemathesis fuzzes the rest:
config/tests/test_schemathesis.py); these are the cases that once disagreed."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from config.api import api as ninja_api
from raffles.api import schemas
from raffles.models import Order, OrderEvent, PaymentProof, Raffle, TicketNumber

pytestmark = pytest.mark.django_db
NEW = {"title": "Car", "ticket_price": "10", "max_number": 9}


def _property(schema: str, name: str) -> dict:
    return ninja_api.get_openapi_schema()["components"]["schemas"][schema]["properties"][name]


def _string_patterns(prop: dict) -> list[str]:
    options = prop.get("anyOf", [prop])
    return [o["pattern"] for o in options if o.get("type") == "string"]


def test_whole_numbers_written_with_a_zero_fraction_are_accepted(api):
    """JSON Schema's `integer` includes 9.0."""
    body = {**NEW, "max_number": 9.0, "reservation_minutes": 30.0, "max_tickets_per_order": 2.0}
    response = api.post("/api/raffles/", body)

    assert response.status_code == 201, response.content
    assert response.json()["max_number"] == 9
    assert response.json()["reservation_minutes"] == 30


@pytest.mark.parametrize("value", [9.5, "9", True])
def test_other_non_integers_are_still_refused(api, value):
    assert api.post("/api/raffles/", {**NEW, "max_number": value}).status_code == 422


@pytest.mark.parametrize(
    ("schema", "name", "refused"),
    [
        ("RaffleCreate", "ticket_price", ""),
        ("RaffleCreate", "ticket_price", "1e3"),
        ("RaffleCreate", "currency", ""),
        ("RaffleCreate", "title", "   "),
        ("RejectPaymentIn", "reason", " \t"),
    ],
)
def test_strings_validation_refuses_are_refused_by_the_document(schema, name, refused):
    patterns = _string_patterns(_property(schema, name))

    assert patterns, f"{schema}.{name} documents no pattern"
    assert not any(re.search(p, refused) for p in patterns)


@pytest.mark.parametrize("value", ["", "1e3", " 5", "-1"])
def test_a_price_the_document_refuses_is_422(api, value):
    response = api.post("/api/raffles/", {**NEW, "ticket_price": value})

    assert response.status_code == 422, response.content


@pytest.mark.parametrize("value", ["0", "0.5", "1700000000", "2030-02-30T00:00:00Z"])
def test_date_filters_take_only_documented_dates(api, value):
    """No Unix timestamps, no impossible dates: the document's pattern is the rule."""
    assert api.get("/api/orders/", {"created_after": value}).status_code == 422


def test_date_limits_are_documented():
    prop = _property("RaffleCreate", "sales_close_at")
    date = next(o for o in prop["anyOf"] if o.get("type") == "string")

    assert "1900 to 9000" in date["description"]
    assert re.search(date["pattern"], "2030-12-24T20:00:00Z")
    assert re.search(date["pattern"], "2028-02-29T00:00:00-04:00")
    for refused in ("1899-12-31T23:59:59Z", "9001-01-01T00:00:00Z", "2029-02-29T00:00:00Z"):
        assert not re.search(date["pattern"], refused)


def test_a_rule_across_fields_names_the_fields_in_conflict(api):
    response = api.post("/api/raffles/", {**NEW, "min_number": 10, "max_number": 5})

    assert response.status_code == 400
    assert response.json()["field"] == "max_number"
    assert response.json()["conflicts_with"] == ["min_number"]


@pytest.mark.parametrize("value", [9999999999.999998, "9999999999.999", "1.005"])
def test_prices_beyond_cents_or_the_limit_are_refused_by_the_document(api, value):
    """Rounded to cents, 9999999999.999 would be 10,000,000,000 (a numeric overflow on
    PostgreSQL): the document allows at most 9999999999.99 and two decimals in a string."""
    response = api.post("/api/raffles/", {**NEW, "ticket_price": value})

    assert response.status_code == 422, response.content


def test_the_largest_price_is_accepted(api):
    response = api.post("/api/raffles/", {**NEW, "ticket_price": 9999999999.99})

    assert response.status_code == 201, response.content
    assert response.json()["ticket_price"] == "9999999999.99"


@pytest.mark.parametrize(
    ("alias", "choices"),
    [
        ("RaffleStatus", Raffle.Status),
        ("GenerationStatus", Raffle.Generation),
        ("TicketStatus", TicketNumber.Status),
        ("OrderStatus", Order.Status),
        ("ProofReview", PaymentProof.Review),
        ("ActorType", OrderEvent.Actor),
    ],
)
def test_status_literals_are_the_models_choices(alias, choices):
    """The schemas spell the choices out for the type checker; they must stay the models'."""
    assert get_args(getattr(schemas, alias)) == tuple(choices.values)
