"""/api/raffles/…: every operation and filter, through HTTP with an API key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from raffles import services
from raffles.models import OrderEvent, Raffle, TicketNumber
from raffles.services.raffles import INLINE_GENERATION_LIMIT
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

NEW_RAFFLE = {"title": "Moto 2025", "ticket_price": "2.50", "max_number": 999}


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


# --- List and detail ----------------------------------------------------------------------
def test_list_raffles_paginated_newest_first(api):
    raffles = [make_raffle(title=f"R{i}") for i in range(3)]

    response = api.get("/api/raffles/?page_size=2")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["page"] == 1
    assert body["page_size"] == 2
    assert ids(response) == [raffles[2].pk, raffles[1].pk]
    assert ids(api.get("/api/raffles/?page=2&page_size=2")) == [raffles[0].pk]
    assert api.get("/api/raffles/?page=3&page_size=2").json()["items"] == []


def test_filter_is_active_and_status(api):
    selling = make_raffle(title="selling")
    draft = make_raffle(title="draft", active=False)
    closed = make_raffle(title="closed")
    services.close_raffle(closed)
    past_close = make_raffle(title="past close")
    Raffle.objects.filter(pk=past_close.pk).update(
        sales_close_at=timezone.now() - timedelta(minutes=1)
    )

    assert ids(api.get("/api/raffles/?is_active=true")) == [selling.pk]
    assert set(ids(api.get("/api/raffles/?is_active=false"))) == {
        draft.pk,
        closed.pk,
        past_close.pk,
    }
    assert ids(api.get("/api/raffles/?status=draft")) == [draft.pk]
    assert set(ids(api.get("/api/raffles/?status=active"))) == {selling.pk, past_close.pk}
    assert ids(api.get("/api/raffles/?status=active&is_active=false")) == [past_close.pk]
    assert api.get("/api/raffles/?status=bogus").status_code == 422
    assert api.get("/api/raffles/?is_active=perhaps").status_code == 422


def test_get_raffle(api, raffle):
    response = api.get(f"/api/raffles/{raffle.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == raffle.pk
    assert body["ticket_price"] == "10.00"
    assert body["size"] == 100
    assert body["number_width"] == 2
    assert body["is_active"] is True
    assert body["status"] == "active"
    assert body["generation_status"] == "done"


def test_get_missing_raffle_is_404(api):
    response = api.get("/api/raffles/424242/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Raffle 424242 does not exist", "code": "raffle_not_found"}


# --- Create, replace, update, delete ------------------------------------------------------
def test_create_raffle(api):
    response = api.post(
        "/api/raffles/",
        {
            **NEW_RAFFLE,
            "currency": "eur",
            "max_tickets_per_order": 5,  # not above the per-buyer limit
            "max_tickets_per_buyer": 5,
            "prize": "A motorbike",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    raffle = Raffle.objects.get(pk=body["id"])
    assert raffle.status == Raffle.Status.DRAFT
    assert raffle.currency == "EUR"
    assert body["ticket_price"] == "2.50"
    assert body["max_tickets_per_buyer"] == 5
    event = OrderEvent.objects.get(raffle=raffle, kind="raffle_created")
    assert event.actor_type == OrderEvent.Actor.API
    assert event.actor_label == "accounting"  # the key's name


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ticket_price": "1", "max_number": 9}, "title"),
        ({**NEW_RAFFLE, "title": ""}, "title"),
        ({**NEW_RAFFLE, "ticket_price": "-1"}, "ticket_price"),
        ({**NEW_RAFFLE, "ticket_price": "abc"}, "ticket_price"),
        ({**NEW_RAFFLE, "max_number": -5}, "max_number"),
        ({**NEW_RAFFLE, "max_number": 10**30}, "max_number"),
        ({**NEW_RAFFLE, "currency": "dollars"}, "currency"),
        ({**NEW_RAFFLE, "sales_close_at": "yesterday"}, "sales_close_at"),
        ({**NEW_RAFFLE, "status": "active"}, "status"),  # not writable: unknown field
    ],
)
def test_create_raffle_invalid_input_is_422(api, payload, field):
    response = api.post("/api/raffles/", payload)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in {e["loc"][-1] for e in body["errors"]}
    assert Raffle.objects.count() == 0


def test_create_raffle_domain_rule_is_400(api):
    response = api.post("/api/raffles/", {**NEW_RAFFLE, "min_number": 10, "max_number": 5})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "max_number"


def test_create_raffle_with_more_than_a_million_numbers_is_400(api):
    response = api.post("/api/raffles/", {**NEW_RAFFLE, "max_number": 1_000_000})

    assert response.status_code == 400
    assert "1,000,000" in response.json()["detail"]


def test_replace_raffle(api):
    raffle = make_raffle(active=False, generate=False, title="Old", max_tickets_per_buyer=4)

    response = api.put(
        f"/api/raffles/{raffle.pk}/", {"title": "New", "ticket_price": "3", "max_number": 49}
    )

    assert response.status_code == 200, response.content
    raffle.refresh_from_db()
    assert (raffle.title, raffle.ticket_price, raffle.max_number) == ("New", 3, 49)
    assert raffle.max_tickets_per_buyer is None  # left out: back to its default


def test_patch_changes_only_the_fields_sent(api, raffle):
    response = api.patch(f"/api/raffles/{raffle.pk}/", {"prize": "A car", "sales_close_at": None})

    assert response.status_code == 200
    raffle.refresh_from_db()
    assert raffle.prize == "A car"
    assert raffle.title == "Test raffle"
    event = OrderEvent.objects.get(raffle=raffle, kind="raffle_updated")
    assert event.details["fields"] == ["prize"]


def test_patch_null_on_a_required_field_is_422(api, raffle):
    response = api.patch(f"/api/raffles/{raffle.pk}/", {"title": None})

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "payload", "title"]


def test_patch_range_of_a_numbered_raffle_is_409(api, raffle):
    response = api.patch(f"/api/raffles/{raffle.pk}/", {"max_number": 500})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_raffle_state"
    assert response.json()["action"] == "change the number range of"


def test_patch_missing_raffle_is_404(api):
    assert api.patch("/api/raffles/999/", {"title": "x"}).status_code == 404


def test_delete_raffle_without_sales(api):
    raffle = make_raffle(active=False)

    response = api.delete(f"/api/raffles/{raffle.pk}/")

    assert response.status_code == 204
    assert response.content == b""
    assert not Raffle.objects.filter(pk=raffle.pk).exists()
    assert not TicketNumber.objects.filter(raffle_id=raffle.pk).exists()


def test_delete_raffle_with_a_reserved_number_is_409(api, raffle, buyer):
    services.reserve_specific(raffle.pk, [5], buyer)

    response = api.delete(f"/api/raffles/{raffle.pk}/")

    assert response.status_code == 409
    assert response.json()["code"] == "raffle_has_sales"
    assert Raffle.objects.filter(pk=raffle.pk).exists()


# --- Lifecycle --------------------------------------------------------------------------
def test_generate_small_raffle_at_once_then_activate_then_close(api):
    raffle = make_raffle(active=False, generate=False, size=50)

    generated = api.post(f"/api/raffles/{raffle.pk}/generate-tickets/")
    activated = api.post(f"/api/raffles/{raffle.pk}/activate/")
    closed = api.post(f"/api/raffles/{raffle.pk}/close/")

    assert generated.status_code == 200
    assert generated.json()["ready"] is True
    assert generated.json()["raffle"]["generation_status"] == "done"
    assert TicketNumber.objects.filter(raffle=raffle).count() == 50
    assert activated.status_code == 200
    assert activated.json()["status"] == "active"
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    kinds = set(OrderEvent.objects.filter(raffle=raffle).values_list("kind", "actor_label"))
    assert {("raffle_activated", "accounting"), ("raffle_closed", "accounting")} <= kinds


def test_generate_big_raffle_in_the_background_is_202(api, django_capture_on_commit_callbacks):
    raffle = make_raffle(active=False, generate=False, size=INLINE_GENERATION_LIMIT + 1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(f"/api/raffles/{raffle.pk}/generate-tickets/")

    assert response.status_code == 202
    assert response.json()["ready"] is False
    assert response.json()["raffle"]["generation_status"] == "running"
    assert len(callbacks) == 1  # the task is queued once the transaction commits


def test_activate_without_numbers_is_409(api):
    raffle = make_raffle(active=False, generate=False)

    response = api.post(f"/api/raffles/{raffle.pk}/activate/")

    assert response.status_code == 409
    assert response.json()["code"] == "tickets_not_generated"


def test_close_a_draft_is_409(api):
    raffle = make_raffle(active=False)

    response = api.post(f"/api/raffles/{raffle.pk}/close/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cannot close a raffle that is draft",
        "code": "invalid_raffle_state",
        "action": "close",
        "status": "draft",
    }


@pytest.mark.parametrize("action", ["generate-tickets", "activate", "close"])
def test_lifecycle_of_a_missing_raffle_is_404(api, action):
    assert api.post(f"/api/raffles/77/{action}/").status_code == 404


# --- Availability and numbers -------------------------------------------------------------
@pytest.fixture
def busy_raffle(raffle):
    """0-99: 10-12 reserved, 20 sold, 30 held past its time (free again)."""
    held = services.reserve_specific(raffle.pk, [10, 11, 12], BuyerFactory())
    paid = services.reserve_specific(raffle.pk, [20], BuyerFactory())
    services.confirm_paid(paid)
    lapsed = services.reserve_specific(raffle.pk, [30], BuyerFactory())
    TicketNumber.objects.filter(reserved_by_order=lapsed).update(
        reserved_until=timezone.now() - timedelta(minutes=1)
    )
    raffle.held_order = held
    return raffle


def test_availability(api, busy_raffle):
    response = api.get(f"/api/raffles/{busy_raffle.pk}/availability/")

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["available"], body["reserved"], body["sold"]) == (100, 96, 3, 1)
    assert body["available_ranges"] == [[0, 9], [13, 19], [21, 99]]
    assert body["number_width"] == 2


def test_availability_of_a_raffle_without_numbers(api):
    raffle = make_raffle(active=False, generate=False)

    body = api.get(f"/api/raffles/{raffle.pk}/availability/").json()

    assert body["total"] == 0
    assert body["available_ranges"] == []
    assert body["generation_status"] == "none"


def test_availability_streams_the_numbers(api, raffle, django_assert_max_num_queries):
    # Counts (3) + ranges (up to 3) + the request's own lookups: the numbers are never
    # fetched one by one.
    with django_assert_max_num_queries(10):
        assert api.get(f"/api/raffles/{raffle.pk}/availability/").status_code == 200


def test_tickets_list(api, busy_raffle):
    response = api.get(f"/api/raffles/{busy_raffle.pk}/tickets/?number_min=9&number_max=12")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [(t["number"], t["formatted"], t["status"]) for t in body["items"]] == [
        (9, "09", "AVAILABLE"),
        (10, "10", "RESERVED"),
        (11, "11", "RESERVED"),
        (12, "12", "RESERVED"),
    ]
    assert body["items"][1]["order_id"] == busy_raffle.held_order.pk
    assert body["items"][1]["reserved_until"] is not None


def test_tickets_status_filter_treats_lapsed_holds_as_available(api, busy_raffle):
    def numbers(query: str) -> list[int]:
        url = f"/api/raffles/{busy_raffle.pk}/tickets/?page_size=500&{query}"
        return [t["number"] for t in api.get(url).json()["items"]]

    assert numbers("status=RESERVED") == [10, 11, 12]
    assert numbers("status=SOLD") == [20]
    available = numbers("status=AVAILABLE")
    assert len(available) == 96
    assert 30 in available
    lapsed = api.get(f"/api/raffles/{busy_raffle.pk}/tickets/?number_min=30&number_max=30")
    assert lapsed.json()["items"][0] == {
        "number": 30,
        "formatted": "30",
        "status": "AVAILABLE",
        "reserved_until": None,
        "order_id": None,
    }


def test_tickets_pagination_and_bad_filters(api, raffle):
    page = api.get(f"/api/raffles/{raffle.pk}/tickets/?page=3&page_size=40").json()
    assert [t["number"] for t in page["items"]] == list(range(80, 100))
    assert page["count"] == 100
    assert api.get(f"/api/raffles/{raffle.pk}/tickets/?status=FREE").status_code == 422
    assert api.get(f"/api/raffles/{raffle.pk}/tickets/?number_min=-1").status_code == 422
    assert api.get(f"/api/raffles/{raffle.pk}/tickets/?page_size=501").status_code == 422
    assert api.get(f"/api/raffles/{raffle.pk}/tickets/?page=0").status_code == 422
    assert api.get("/api/raffles/999/tickets/").status_code == 404


def test_archive_and_restore_through_the_api(api):
    raffle = make_raffle(size=10)
    archived = api.post(f"/api/raffles/{raffle.pk}/archive/")
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    assert archived.json()["status"] == "closed"
    assert raffle.pk not in [r["id"] for r in api.get("/api/raffles/").json()["items"]]
    listed = api.get("/api/raffles/?archived=true").json()["items"]
    assert [r["id"] for r in listed] == [raffle.pk]
    restored = api.post(f"/api/raffles/{raffle.pk}/restore/")
    assert restored.json()["archived_at"] is None
    assert raffle.pk in [r["id"] for r in api.get("/api/raffles/").json()["items"]]
