"""The ticket grid: plain HTML blocks, effective statuses, jump, filter, detail, live version."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.live import raffle_version, version_for
from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import TicketNumber
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def _cells(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-n="(\d+)" data-status="(\w+)"', html))


def test_grid_page_renders_the_first_block_zero_padded(staff_client: Client) -> None:
    raffle = make_raffle(size=10_000)
    page = staff_client.get(reverse("portal:tickets", args=[raffle.pk])).content.decode()
    cells = _cells(page)
    assert len(cells) == 1000
    assert ">0000</button>" in page
    assert ">0999</button>" in page
    assert ">1000</button>" not in page
    # one component for the grid, one for the detail, one for the selection (sales), one
    # tiny poller, and the nav's badges of proofs to review and conversations waiting for a
    # person; never one per number
    assert page.count("unicorn:id=") == 6
    assert page.count("unicorn:poll") == 3  # the live poller and the two nav badges


def test_statuses_follow_effective_status(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    buyer = BuyerFactory()
    sold = services.reserve_specific(raffle.pk, [1], buyer)
    services.confirm_paid(sold)
    services.reserve_specific(raffle.pk, [2], buyer)
    lapsed = services.reserve_specific(raffle.pk, [3], buyer)
    TicketNumber.objects.filter(reserved_by_order=lapsed).update(
        reserved_until=timezone.now() - timedelta(minutes=1)
    )
    result = unicorn_call(staff_client, "ticket-grid", "refresh", {"raffle_id": raffle.pk})
    cells = _cells(result.dom)
    assert cells["1"] == "SOLD"
    assert cells["2"] == "RESERVED"
    assert cells["3"] == "AVAILABLE"  # a hold past its time shows as available
    assert cells["4"] == "AVAILABLE"


def test_block_navigation_jump_and_filter(staff_client: Client) -> None:
    raffle = make_raffle(size=10_000)
    services.reserve_specific(raffle.pk, [5432, 5433], BuyerFactory())
    data = {"raffle_id": raffle.pk}
    result = unicorn_call(staff_client, "ticket-grid", "go(3)", data)
    assert '"block-label">3000–3999<' in result.dom

    result = unicorn_call(staff_client, "ticket-grid", "jump_to", {**data, "jump": "5432"})
    assert '"block-label">5000–5999<' in result.dom
    assert 'class="t RESERVED selected" data-n="5432"' in result.dom
    assert result.json["calls"] == [{"fn": "Unicorn.call", "args": ["ticket-detail", "show", 5432]}]
    assert 'title="0 sold, 2 reserved">5000–5999' in result.dom  # block bar counts

    result = unicorn_call(
        staff_client, "ticket-grid", "refresh", {**data, "anchor": 5432, "status": "RESERVED"}
    )
    assert set(_cells(result.dom)) == {"5432", "5433"}

    result = unicorn_call(staff_client, "ticket-grid", "jump_to", {**data, "jump": "12000"})
    assert "Numbers go from 0000 to 9999" in result.data["field_errors"]["jump"]
    result = unicorn_call(staff_client, "ticket-grid", "jump_to", {**data, "jump": "x"})
    assert result.data["field_errors"]["jump"] == "Type a number."


def test_block_size_keeps_the_shown_numbers(staff_client: Client) -> None:
    raffle = make_raffle(size=10_000)
    data = {"raffle_id": raffle.pk, "anchor": 5600}
    result = unicorn_call(staff_client, "ticket-grid", None, data, sync={"block_size": 500})
    assert '"block-label">5500–5999<' in result.dom
    assert len(_cells(result.dom)) == 500


def test_detail_shows_order_and_buyer(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    buyer = BuyerFactory(name="Rosa Díaz")
    order = services.reserve_specific(raffle.pk, [42], buyer)
    result = unicorn_call(staff_client, "ticket-detail", "show(42)", {"raffle_id": raffle.pk})
    assert order.code in result.dom
    assert "Rosa Díaz" in result.dom
    assert buyer.phone in result.dom
    result = unicorn_call(staff_client, "ticket-detail", "show(43)", {"raffle_id": raffle.pk})
    assert "Nobody holds this number" in result.dom


def test_version_changes_when_buyers_act_and_when_holds_lapse() -> None:
    raffle = make_raffle(size=100)
    before = raffle_version(raffle.pk)
    assert version_for(f"raffle:{raffle.pk}") == before
    order = services.reserve_specific(raffle.pk, [7], BuyerFactory())
    after = raffle_version(raffle.pk)
    assert after != before
    TicketNumber.objects.filter(reserved_by_order=order).update(
        reserved_until=timezone.now() - timedelta(seconds=1)
    )
    assert raffle_version(raffle.pk) != after
    assert version_for("raffle:nope") == "-"
    assert version_for("weird") == "-"


def test_live_version_refreshes_targets_only_on_change(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    data = {
        "scope": f"raffle:{raffle.pk}",
        "targets": "ticket-grid,ticket-detail,<script>",
        "version": raffle_version(raffle.pk),
        "interval": 1000,
    }
    first = unicorn_call(staff_client, "live-version", "check", data, component_id="lv1")
    assert first.json["calls"] == []
    data = first.data
    again = unicorn_call(
        staff_client,
        "live-version",
        "check",
        data,
        component_id="lv1",
        content_hash=first.content_hash,
    )
    assert again.status_code == 304  # nothing changed: nothing rendered for the browser
    services.reserve_specific(raffle.pk, [7], BuyerFactory())
    result = unicorn_call(
        staff_client,
        "live-version",
        "check",
        data,
        component_id="lv1",
        content_hash=first.content_hash,
    )
    assert result.status_code == 200
    assert result.json["calls"] == [
        {"fn": "Unicorn.portalRefresh", "args": ["ticket-grid", "ticket-detail"]}
    ]
    assert result.data["version"] == raffle_version(raffle.pk)


def test_grid_of_a_missing_raffle_shows_a_notice(staff_client: Client, raffle: Any) -> None:
    result = unicorn_call(staff_client, "ticket-grid", "refresh", {"raffle_id": 999999})
    assert result.status_code == 200
    assert "no longer exists" in result.dom


def test_block_counts_leave_out_holds_past_their_time() -> None:
    from portal.queries import block_taken_counts

    raffle = make_raffle(size=4000, max_tickets_per_order=10)
    buyer = BuyerFactory()
    services.confirm_paid(services.reserve_specific(raffle.pk, [1, 2, 2500], buyer))
    services.reserve_specific(raffle.pk, [3, 1001], buyer)
    lapsed = services.reserve_specific(raffle.pk, [4, 1002, 3500], buyer)  # block 3: none
    TicketNumber.objects.filter(reserved_by_order=lapsed).update(
        reserved_until=timezone.now() - timedelta(seconds=1)
    )
    proof = services.reserve_specific(raffle.pk, [2999], buyer)
    TicketNumber.objects.filter(reserved_by_order=proof).update(reserved_until=None)
    assert block_taken_counts(raffle, 1000) == {
        0: {"SOLD": 2, "RESERVED": 1},
        1: {"RESERVED": 1},
        2: {"SOLD": 1, "RESERVED": 1},
    }
