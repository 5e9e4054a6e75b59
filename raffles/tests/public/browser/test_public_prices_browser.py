"""The bundles and the early-bird price on the public page, on a phone, in English and
Spanish: shown, readable, no sideways scroll."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from raffles.services.pricing import set_prices
from raffles.tests.factories import make_raffle
from raffles.tests.public.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "bundle", "early"),
    [("en-US", "3 for 25.00 USD", "Early-bird price"), ("es-ES", "3 por 25", "Precio de preventa")],
)
def test_bundles_on_a_phone(
    public_browser: Any, live_server: Any, locale: str, bundle: str, early: str
) -> None:
    raffle = make_raffle(size=100, title="Mountain bike")
    set_prices(
        raffle=raffle,
        tiers=[{"quantity": 3, "price": "25"}, {"quantity": 10, "price": "70"}],
        early_bird_price="8",
        early_bird_until=timezone.now() + timedelta(days=3),
    )
    context = public_browser.new_context(viewport=PHONE, locale=locale, is_mobile=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/r/{raffle.public_id}/")
        expect(page.locator("#bundles")).to_contain_text(bundle)
        expect(page.locator("#bundles .bundle")).to_have_count(2)
        expect(page.locator(".facts")).to_contain_text(early)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert errors == []
    finally:
        context.close()
