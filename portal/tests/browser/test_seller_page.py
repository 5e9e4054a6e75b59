"""The seller's own page on a phone, in English and Spanish: her code, her personal link
(copied with the button), her figures in her language's format, no other seller's buyers,
and nothing wider than the screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, PASSWORD, login
from portal.tests.sellers_world import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(
    params=[
        ("en-US", "My sales", "Copied", "USD 20.00"),
        ("es-ES", "Mis ventas", "Copiado", "USD 20,00"),
    ]
)
def phone(request: Any, browser: Any) -> Iterator[tuple[Any, tuple[str, ...]]]:
    context = browser.new_context(
        viewport=NARROW, locale=request.param[0], is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    yield context, request.param
    context.close()


def test_the_sellers_page_on_a_phone(phone: Any, live_server: Any) -> None:
    context, (_locale, title, copied, cash) = phone
    world = make_world()
    world.ana.user.set_password(PASSWORD)
    world.ana.user.save()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server.url, username="ana")
    page.goto(live_server.url + "/portal/my-sales/")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_test_id("seller-code")).to_have_text("ANA")
    link = page.get_by_test_id("page-link").first
    assert link.input_value().endswith("?s=ANA")
    expect(page.get_by_test_id("cash").first).to_have_text(cash)
    button = page.locator("[data-copy]").first
    button.click()
    expect(button).to_have_text(copied)
    html = page.content()
    assert "BETO" not in html
    assert "Dani" not in html
    assert world.beto_order.code not in html
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide
    assert not errors
