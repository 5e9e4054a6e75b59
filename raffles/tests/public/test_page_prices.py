"""The public page shows the bundles and the early-bird price while it lasts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from raffles.services.pricing import set_prices
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def test_bundles_and_early_bird_on_the_page(client: Client) -> None:
    raffle = make_raffle(size=100)
    set_prices(
        raffle=raffle,
        tiers=[{"quantity": 3, "price": "25"}],
        early_bird_price="8",
        early_bird_until=timezone.now() + timedelta(days=2),
    )
    page = client.get(f"/r/{raffle.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="bundles"' in page
    assert "3 for 25.00 USD" in page
    assert 'id="early-bird"' in page
    assert "8.00 USD a number until" in page


def test_no_early_bird_after_its_date(client: Client) -> None:
    raffle = make_raffle(size=100)
    set_prices(
        raffle=raffle,
        tiers=[],
        early_bird_price="8",
        early_bird_until=timezone.now() - timedelta(minutes=1),
    )
    page = client.get(f"/r/{raffle.public_id}/").content.decode()
    assert 'id="early-bird"' not in page
    assert 'id="bundles"' not in page
