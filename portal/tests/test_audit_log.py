"""The audit log page (owners only): filters, keyset pages, CSV, the address a staff action
came from; and a raffle's sales charts (inline SVG with a table)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import StaffPreferences
from portal.tests.conftest import make_staff, unicorn_call
from raffles import services
from raffles.audit import EventKind
from raffles.models import OrderEvent, Raffle
from raffles.services.events import log_event

pytestmark = pytest.mark.django_db

URL = "/portal/audit/"
BROWSER = "Mozilla/5.0 (Audit test)"


@pytest.fixture
def owner_client(staff_user: Any) -> Client:
    client = Client(REMOTE_ADDR="127.0.0.9", HTTP_USER_AGENT=BROWSER)
    client.force_login(staff_user)
    return client


def test_a_staff_action_records_its_address_and_browser(
    owner_client: Client, raffle: Raffle, buyer: Any
) -> None:
    order = services.reserve_specific(raffle.pk, [1], buyer)
    result = unicorn_call(owner_client, "order-detail", "confirm", {"order_id": order.pk})
    assert result.status_code == 200, result.json
    event = OrderEvent.objects.get(order=order, kind=EventKind.PAID)
    assert event.details["origin"] == {"ip": "127.0.0.9", "user_agent": BROWSER}

    page = owner_client.get(URL).content.decode()
    assert "127.0.0.9" in page
    assert BROWSER in page
    assert order.code in page
    assert reverse("portal:order", args=[order.code]) in page


def test_behind_a_proxy_the_address_it_appended_is_recorded(
    staff_user: Any, raffle: Raffle, buyer: Any, settings: Any
) -> None:
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    client = Client(HTTP_X_FORWARDED_FOR="127.0.0.200, 127.0.0.7")
    client.force_login(staff_user)
    order = services.reserve_specific(raffle.pk, [1], buyer)
    assert (
        unicorn_call(client, "order-detail", "confirm", {"order_id": order.pk}).status_code == 200
    )
    event = OrderEvent.objects.get(order=order, kind=EventKind.PAID)
    assert event.details["origin"]["ip"] == "127.0.0.7"


@pytest.fixture
def history(staff_user: Any, raffle: Raffle, buyer: Any) -> dict[str, Any]:
    bob = make_staff("bob", "reviewer")
    other = services.create_raffle(title="Other raffle", ticket_price="5", max_number=9, by=bob)
    log_event(kind=EventKind.RAFFLE_UPDATED, by=staff_user, raffle=raffle)
    log_event(kind=EventKind.STAFF_REPLY, by=bob, contact=7)
    log_event(kind=EventKind.RESERVED, by=buyer, raffle=raffle)  # the buyer's: not listed
    return {"bob": bob, "other": other}


def test_filters(owner_client: Client, history: dict[str, Any], raffle: Raffle) -> None:
    rows = _kinds(owner_client.get(URL))
    assert EventKind.RESERVED not in rows
    assert {EventKind.RAFFLE_UPDATED, EventKind.STAFF_REPLY} <= set(rows)

    by_bob = _kinds(owner_client.get(URL, {"user": history["bob"].pk}))
    assert EventKind.RAFFLE_UPDATED not in by_bob
    assert EventKind.STAFF_REPLY in by_bob
    assert _kinds(owner_client.get(URL, {"kind": "staff_reply"})) == [EventKind.STAFF_REPLY]
    assert _kinds(owner_client.get(URL, {"raffle": raffle.pk})) == [EventKind.RAFFLE_UPDATED]
    assert _kinds(owner_client.get(URL, {"since": "2000-01-01", "until": "2000-01-02"})) == []
    page = owner_client.get(URL, {"kind": "staff_reply"}).content.decode()
    assert reverse("portal:conversation", args=[7]) in page


def test_a_wrong_date_range_says_so(owner_client: Client, history: dict[str, Any]) -> None:
    response = owner_client.get(URL, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_pages_by_keyset(owner_client: Client, staff_user: Any) -> None:
    for _ in range(55):
        log_event(kind=EventKind.FAQ_CHANGED, by=staff_user)
    first = owner_client.get(URL, {"kind": "faq_changed"})
    assert len(_kinds(first)) == 50
    older = first.context["next_query"]
    assert older
    assert "kind=faq_changed" in older
    second = owner_client.get(f"{URL}?{older}")
    assert len(_kinds(second)) == 5
    assert not second.context["next_query"]
    ids = [r.event.pk for r in first.context["rows"] + second.context["rows"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 55


def test_times_show_in_the_staff_members_zone(owner_client: Client, staff_user: Any) -> None:
    StaffPreferences.objects.create(user=staff_user, time_zone="America/Sao_Paulo")
    log_event(kind=EventKind.FAQ_ADDED, by=staff_user)
    owner_client.force_login(staff_user)  # a new session reads the preferences
    page = owner_client.get(URL).content.decode()
    assert "America/Sao_Paulo" in page
    assert "-03" in page


def test_csv_export_follows_the_filters(owner_client: Client, history: dict[str, Any]) -> None:
    response = owner_client.get(reverse("portal:export-audit"), {"kind": "staff_reply"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["time", "staff member", "action code", "action"]
    assert [r[2] for r in rows[1:]] == ["staff_reply"]
    assert rows[1][1] == "bob"
    assert rows[1][6] == "7"


def test_csv_headers_follow_the_language(owner_client: Client, history: dict[str, Any]) -> None:
    response = owner_client.get(reverse("portal:export-audit"), headers={"accept-language": "es"})
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("hora,")


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("seller", 403), ("viewer", 403)])
def test_only_owners_read_the_audit_log(role: str, status: int) -> None:
    client = Client()
    client.force_login(make_staff(f"{role}-x", role))
    assert client.get(URL).status_code == status
    assert client.get(reverse("portal:export-audit")).status_code == status
    assert "/portal/audit/" not in client.get("/portal/").content.decode()


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/portal/login/" in response["Location"]


def test_sales_charts(staff_client: Client, raffle: Raffle, buyer: Any) -> None:
    order = services.reserve_specific(raffle.pk, [1, 2, 3], buyer)
    services.confirm_paid(order)
    services.reserve_specific(raffle.pk, [4], buyer)
    response = staff_client.get(reverse("portal:raffle-sales", args=[raffle.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 3
    assert 'data-testid="table-days"' in page
    assert 'data-testid="table-hours"' in page
    assert "USD 30.00" in page  # confirmed
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
    detail = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert reverse("portal:raffle-sales", args=[raffle.pk]) in detail


def test_sales_charts_without_sales(staff_client: Client, raffle: Raffle) -> None:
    page = staff_client.get(reverse("portal:raffle-sales", args=[raffle.pk])).content.decode()
    assert "No confirmed sales yet." in page


def _kinds(response: Any) -> list[str]:
    assert response.status_code == 200
    return [row.event.kind for row in response.context["rows"]]
