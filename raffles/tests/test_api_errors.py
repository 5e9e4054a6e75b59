"""The one error schema, and no input that makes the API answer 500."""

from __future__ import annotations

import json

import pytest

from raffles.models import Raffle

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"detail", "code"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body.keys() >= ERROR_KEYS
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_validation_errors_use_the_error_schema_with_field_errors(api):
    response = api.post("/api/raffles/", {"title": "", "ticket_price": "x", "max_number": 1})

    body = assert_error(response, 422, "invalid")
    assert body["detail"].startswith("Invalid input: ")
    assert {tuple(e["loc"]) for e in body["errors"]} == {
        ("body", "payload", "title"),
        ("body", "payload", "ticket_price"),
    }
    assert all({"loc", "msg", "type"} == e.keys() for e in body["errors"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/raffles/99999999999999999999999999/",
        "/api/raffles/9223372036854775808/",
        "/api/raffles/-1/",
        "/api/raffles/0/",
        "/api/raffles/1.5/",
        "/api/raffles/abc/",
        "/api/raffles/%00/",
        "/api/orders/-7/",
        "/api/orders/1e3/",
        "/api/orders/1/proofs/-1/file",
        "/api/contacts/99999999999999999999999/",
    ],
)
def test_bad_ids_are_422(api, path):
    assert_error(api.get(path), 422, "invalid")


def test_largest_id_is_just_not_found(api):
    assert_error(api.get("/api/raffles/9223372036854775807/"), 404, "raffle_not_found")
    assert_error(api.get("/api/orders/9223372036854775807/"), 404, "not_found")


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=99999999999999999999",
        "page=1e2",
        "page_size=0",
        "page_size=100000",
        "is_active=2",
        "status=%00",
    ],
)
def test_bad_query_values_are_422(api, query):
    assert_error(api.get(f"/api/raffles/?{query}"), 422, "invalid")


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        '"a string"',
        "null",
        '{"title": "x", "ticket_price": "1", "max_number": 1e400}',
        '{"title": "x", "ticket_price": "NaN", "max_number": 1}',
        '{"title": "x", "ticket_price": "Infinity", "max_number": 1}',
        '{"title": "x", "ticket_price": 1e400, "max_number": 1}',
        '{"title": "x\\u0000", "ticket_price": "1", "max_number": 1}',
        '{"title": "\\ud800", "ticket_price": "1", "max_number": 1}',
        '{"title": "x", "ticket_price": "1", "max_number": 1, "draw_at": "9999-12-31T23:00-14:00"}',
        '{"title": "x", "ticket_price": "1", "max_number": 1, "draw_at": "2024-01-01T25:00:00Z"}',
        '{"title": "x", "ticket_price": "1", "max_number": 1, "max_tickets_per_buyer": 1e20}',
        '{"title": "x", "ticket_price": "1", "max_number": 1, "max_tickets_per_order": true}',
        '{"title": ["x"], "ticket_price": "1", "max_number": 1}',
    ],
)
def test_bad_bodies_are_400_or_422(api, body):
    response = api.post("/api/raffles/", body)

    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] == "invalid"
    assert Raffle.objects.count() == 0


def test_naive_dates_are_read_in_the_site_time_zone(api):
    response = api.post(
        "/api/raffles/",
        {"title": "x", "ticket_price": "1", "max_number": 9, "draw_at": "2030-01-01T12:00:00"},
    )

    assert response.status_code == 201
    assert response.json()["draw_at"].startswith("2030-01-01T12:00:00")


def test_rule_conflicts_carry_structured_fields(api, raffle, buyer):
    from raffles import services

    services.reserve_specific(raffle.pk, [1], buyer)

    body = assert_error(api.delete(f"/api/raffles/{raffle.pk}/"), 409, "raffle_has_sales")

    assert body["detail"] == "This raffle has orders; archive it instead of deleting it"


def test_unsupported_method_is_405(api, raffle):
    response = api.request("PUT", "/api/raffles/", {"title": "x"})

    assert response.status_code == 405


def test_error_bodies_are_json_even_when_huge_input(api):
    response = api.post("/api/raffles/", json.dumps({"title": "t" * 100_000}))

    assert_error(response, 422, "invalid")
