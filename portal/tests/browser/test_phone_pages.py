"""The owner's pages for prices, sellers, payments and messages on a phone (390 px), in
Spanish and Portuguese: none scrolls sideways and none logs a JavaScript error. (The main
pages are checked in English on a phone and a desktop by test_screens.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from config.tests.phone_pages import pages_wider_than_the_screen
from portal.tests.browser.conftest import NARROW, login
from portal.tests.sellers_world import make_world
from raffles.services.pricing import create_coupon, set_prices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("locale", ["es-ES", "pt-BR"])
def test_owner_pages_fit_a_phone(browser: Any, live_server: Any, staff: Any, locale: str) -> None:
    world = make_world()
    raffle = world.raffle
    set_prices(raffle=raffle, tiers=[{"quantity": 3, "price": "25"}], by=None)
    create_coupon(raffle=raffle, code="AMIGO", kind="percent", value="10", max_uses=50)
    staff.is_superuser = True
    staff.save()
    pages = {
        "raffle": f"/portal/raffles/{raffle.pk}/",
        "prices": f"/portal/raffles/{raffle.pk}/prices/",
        "sellers": f"/portal/raffles/{raffle.pk}/sellers/",
        "payments": f"/portal/raffles/{raffle.pk}/payments/",
        "sales": f"/portal/raffles/{raffle.pk}/sales/",
        "claims": f"/portal/raffles/{raffle.pk}/claims/",
        "statements": "/portal/review/statements/",
        "link-payments": "/portal/review/link-payments/",
        "order": f"/portal/orders/{world.ana_order.code}/",
        "outbox": "/portal/outbox/",
        "faq": "/portal/faq/",
        "faq-new": "/portal/faq/new/",
        "canned-replies": "/portal/canned-replies/",
        "templates": "/portal/templates/",
        "account": "/portal/account/",
        "api-keys": "/portal/api-keys/",
        "audit": "/portal/audit/",
    }
    context = browser.new_context(viewport=NARROW, locale=locale, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        login(page, live_server.url)
        wide = pages_wider_than_the_screen(page, live_server.url, pages)
    finally:
        context.close()
    assert wide == [], f"pages that scroll sideways on a phone in {locale}: {wide}"
    assert errors == []
