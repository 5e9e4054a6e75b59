"""A seller at a fair, on her phone in Portuguese, sells three numbers for cash at the bundle
price with the buyer's coupon: a code that cannot be used is refused next to its field and
sells nothing; the right one sells, at the bundle price less the coupon, credited to her."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, PASSWORD, login, unicorn_ready
from portal.tests.sellers_world import make_world
from raffles.models import Order, OrderAttribution
from raffles.services.pricing import create_coupon, set_prices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_seller_sells_with_a_coupon_on_her_phone(browser: Any, live_server: Any) -> None:
    world = make_world()
    raffle = world.raffle
    set_prices(raffle=raffle, tiers=[{"quantity": 3, "price": "25"}])
    create_coupon(raffle=raffle, code="AMIGO", kind="fixed", value="2", max_uses=5)
    world.ana.user.set_password(PASSWORD)
    world.ana.user.save()
    before = set(Order.objects.values_list("pk", flat=True))
    context = browser.new_context(viewport=NARROW, locale="pt-BR", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, live_server.url, username="ana")
        page.goto(f"{live_server.url}/portal/raffles/{raffle.pk}/numbers/")
        unicorn_ready(page, "ticket-grid", "ticket-sale", "ticket-detail")
        page.locator("button.t[data-n='20']").click()
        page.locator("button.t[data-n='22']").click(modifiers=["Shift"])
        expect(page.locator("#sale-numbers")).to_have_value("20, 21, 22")
        # The number's sheet (a phone's bottom sheet) speaks Portuguese and, open, still
        # lets her reach the sale form's last fields and its button.
        expect(page.get_by_test_id("detail-status")).to_have_text("Disponível")
        page.fill("#sale-name", "João")
        page.fill("#sale-phone", "+55 11 98765 4321")
        page.select_option("#sale-method", "cash")
        page.fill("#sale-coupon", "NADA")
        page.get_by_test_id("sale-submit").click()
        expect(page.locator("#sale-coupon-error")).to_be_visible()
        assert set(Order.objects.values_list("pk", flat=True)) == before  # nothing sold

        page.fill("#sale-coupon", "amigo")
        page.get_by_test_id("sale-submit").click()
        expect(page.get_by_test_id("sale-message")).to_be_visible()
        order = Order.objects.exclude(pk__in=before).get()
        assert order.numbers() == [20, 21, 22]
        assert order.total_amount == Decimal("23.00")  # 3 for 25, less 2
        assert order.status == Order.Status.PAID
        assert OrderAttribution.objects.get(order=order).seller == world.ana
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not wide
    finally:
        context.close()
    assert errors == []
