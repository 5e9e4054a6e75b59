"""A raffle's prices and coupons page in a real browser, on a phone, in Spanish and
Portuguese: a bundle typed in the language's number format, a coupon added, its limit edited
(a refused limit shown next to its field), and nothing wider than the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, login
from raffles.models import Coupon, Raffle
from raffles.tests.factories import make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "bundle_price", "saved", "edit"),
    [
        ("es-ES", "25,50", "Guardado.", "Editar"),
        ("pt-BR", "25,50", "Salvo.", "Editar"),
    ],
)
def test_an_owner_on_a_phone_sets_a_bundle_and_edits_a_coupon(
    browser: Any,
    live_server: Any,
    staff: Any,
    locale: str,
    bundle_price: str,
    saved: str,
    edit: str,
) -> None:
    raffle = make_raffle(size=100, title="Moto")
    context = browser.new_context(viewport=NARROW, locale=locale, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, live_server.url)
        page.goto(f"{live_server.url}/portal/raffles/{raffle.pk}/prices/")

        prices = page.get_by_test_id("prices-form")
        prices.locator("[name=tier_1_quantity]").fill("3")
        prices.locator("[name=tier_1_price]").fill(bundle_price)
        prices.locator("button[type=submit]").click()
        expect(page.get_by_test_id("saved")).to_have_text(saved)
        tiers = Raffle.objects.get(pk=raffle.pk).tiers
        assert [(t.quantity, str(t.price)) for t in tiers] == [(3, "25.50")]
        expect(page.get_by_test_id("price-examples")).to_contain_text("25,50")

        coupon_form = page.get_by_test_id("coupon-form")
        coupon_form.locator("[name=code]").fill("amigo")
        coupon_form.locator("[name=value]").fill("10")
        coupon_form.locator("[name=max_uses]").fill("5")
        coupon_form.locator("button[type=submit]").click()
        row = page.get_by_test_id("coupon-AMIGO")
        expect(row).to_contain_text("0 / 5")
        coupon = Coupon.objects.get(code="AMIGO")

        details = page.get_by_test_id("coupon-edit-AMIGO")
        details.locator("summary").filter(has_text=edit).click()
        details.locator(f"[name=edit-{coupon.pk}-max_uses]").fill("0")
        details.locator("button[type=submit]").click()
        details = page.get_by_test_id("coupon-edit-AMIGO")
        expect(details.locator(".field-error")).to_be_visible()  # shown open, next to it
        assert Coupon.objects.get(pk=coupon.pk).max_uses == 5

        details.locator(f"[name=edit-{coupon.pk}-max_uses]").fill("1.500")
        details.locator("button[type=submit]").click()
        expect(page.get_by_test_id("coupon-AMIGO")).to_contain_text(re.compile(r"0 / 1\W?500"))
        assert Coupon.objects.get(pk=coupon.pk).max_uses == 1500

        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, "the page is wider than the phone's screen"
        assert not errors
    finally:
        context.close()
