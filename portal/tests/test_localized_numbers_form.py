"""The raffle form reads money and counts in the staff member's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from portal.tests.conftest import unicorn_call
from portal.tests.test_raffle_pages import VALID
from raffles.models import Raffle


def _save(client: Client, language: str, **changes: str) -> object:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return unicorn_call(client, "raffle-form", "save", {**VALID, **changes})


@pytest.mark.parametrize(
    ("language", "typed", "price"),
    [
        ("es", "1,50", Decimal("1.50")),
        ("pt-br", "1.500,00", Decimal("1500.00")),
        ("es", "1.999", Decimal("1999.00")),
        ("en", "1,500.00", Decimal("1500.00")),
        ("en", "1.50", Decimal("1.50")),
    ],
)
def test_price_is_read_in_the_staff_members_language(
    staff_client: Client, language: str, typed: str, price: Decimal
) -> None:
    _save(staff_client, language, ticket_price=typed)
    assert Raffle.objects.get(title=VALID["title"]).ticket_price == price


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en", "1e3"), ("en", "1.999"), ("en", "1,50"), ("es", "1.50"), ("es", "1,999"), ("es", "$5")],
)
def test_ambiguous_price_is_refused(staff_client: Client, language: str, typed: str) -> None:
    result = _save(staff_client, language, ticket_price=typed)
    assert "ticket_price" in (result.data.get("field_errors") or {})  # type: ignore[attr-defined]
    assert not Raffle.objects.filter(title=VALID["title"]).exists()


def test_counts_are_read_in_the_staff_members_language(staff_client: Client) -> None:
    result = _save(
        staff_client, "es", max_number="1.999", max_tickets_per_order="1.000", ticket_price="12,50"
    )
    assert not result.data.get("field_errors"), result.data  # type: ignore[attr-defined]
    raffle = Raffle.objects.get(title=VALID["title"])
    assert (raffle.max_number, raffle.max_tickets_per_order) == (1999, 1000)
