"""Staff and API actions record where they came from; buyers' and the system's do not; and
the staff audit log reads them newest first, filtered, in keyset pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from raffles import selectors
from raffles.audit import EventKind
from raffles.models import Buyer, OrderEvent, Raffle
from raffles.services.actors import Actor
from raffles.services.events import log_event
from raffles.services.origin import Origin, acting_from

pytestmark = pytest.mark.django_db


def test_staff_and_api_actions_record_the_origin(buyer: Buyer) -> None:
    user = get_user_model().objects.create_user("ana", is_staff=True)
    with acting_from(Origin("127.0.0.5", "Firefox")):
        staff = log_event(kind=EventKind.FAQ_ADDED, by=user)
        api = log_event(kind=EventKind.FAQ_ADDED, by=Actor.api("till"))
        by_buyer = log_event(kind=EventKind.FAQ_ADDED, by=buyer)
        system = log_event(kind=EventKind.FAQ_ADDED)
    outside = log_event(kind=EventKind.FAQ_ADDED, by=user)
    origin = {"ip": "127.0.0.5", "user_agent": "Firefox"}
    assert staff.details["origin"] == origin
    assert api.details["origin"] == origin
    assert "origin" not in by_buyer.details
    assert "origin" not in system.details
    assert "origin" not in outside.details


def _at(when: datetime, **kwargs: object) -> OrderEvent:
    event = log_event(**kwargs)  # type: ignore[arg-type]
    OrderEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


def test_staff_actions_filtered_and_paged(raffle: Raffle, buyer: Buyer) -> None:
    ana = get_user_model().objects.create_user("ana", is_staff=True)
    bob = get_user_model().objects.create_user("bob", is_staff=True)
    start = timezone.make_aware(datetime(2026, 5, 1, 12, 0))
    made = [
        _at(start + timedelta(hours=i), kind=EventKind.RAFFLE_UPDATED, by=ana, raffle=raffle)
        for i in range(5)
    ]
    same_time = _at(start + timedelta(hours=4), kind=EventKind.FAQ_ADDED, by=bob)
    _at(start, kind=EventKind.RESERVED, by=buyer, raffle=raffle)  # a buyer: not listed

    everything = list(selectors.staff_actions_page(selectors.AuditFilter(), size=100)[0])
    assert [e.pk for e in everything] == [same_time.pk] + [e.pk for e in reversed(made)]

    seen: list[int] = []
    after = None
    while True:
        rows, after = selectors.staff_actions_page(selectors.AuditFilter(), after=after, size=2)
        seen += [e.pk for e in rows]
        if after is None:
            break
    assert seen == [e.pk for e in everything]
    exported = [row["id"] for row in selectors.iter_staff_actions(selectors.AuditFilter(), 2)]
    assert exported == seen

    by_bob = selectors.AuditFilter(user_id=bob.pk)
    assert [e.pk for e in selectors.staff_actions_page(by_bob)[0]] == [same_time.pk]
    kind = selectors.AuditFilter(kind=EventKind.RAFFLE_UPDATED, raffle_id=raffle.pk)
    assert len(selectors.staff_actions_page(kind)[0]) == 5
    day = start.date()
    assert len(selectors.staff_actions_page(selectors.AuditFilter(since=day, until=day))[0]) == 6
    later = selectors.AuditFilter(since=date(2026, 5, 2))
    assert selectors.staff_actions_page(later)[0] == []


def test_a_cursor_token_round_trips_and_nonsense_is_ignored() -> None:
    cursor = selectors.Cursor(timezone.now(), 42)
    assert selectors.Cursor.parse(cursor.token()) == cursor
    for token in ("", "nonsense", "2026-05-01T12:00:00_x", "2026-05-01T12:00:00_3"):
        assert selectors.Cursor.parse(token) is None


def test_an_api_action_records_its_origin_but_the_timeline_does_not_show_it(
    api: Any, raffle: Raffle, buyer: Buyer
) -> None:
    from raffles import services

    order = services.reserve_specific(raffle.pk, [1], buyer)
    response = api.post(
        f"/api/orders/{order.pk}/confirm-payment/",
        {},
        headers={"User-Agent": "till/1.0"},
        REMOTE_ADDR="127.0.0.3",
    )
    assert response.status_code == 200, response.content
    event = OrderEvent.objects.get(order=order, kind=EventKind.PAID)
    assert event.details["origin"] == {"ip": "127.0.0.3", "user_agent": "till/1.0"}
    # Staff addresses are for owners (the audit log), not for every API reader.
    timeline = api.get(f"/api/orders/{order.pk}/").json()["timeline"]
    assert all("origin" not in row["details"] for row in timeline)
