"""The portal in Spanish (the browser's language, on a phone) and Portuguese (chosen on My
account, on a desktop): money typed and shown in the staff member's format."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from portal.models import StaffPreferences
from portal.tests.browser.conftest import NARROW, WIDE, login, unicorn_ready
from portal.tests.browser.test_screens import _demo_data, _out_dir
from raffles.models import Raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page: Any, errors: list[str]) -> Any:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "favicon" not in msg.text else None
        ),
    )
    return page


@pytest.fixture
def spanish_phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=NARROW, locale="es-ES", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def english_desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _create(page: Any, base: str, *, title: str, price: str, button: str) -> None:
    page.goto(base + "/portal/raffles/new/")
    unicorn_ready(page, "raffle-form")
    page.fill("#f-title", title)
    page.fill("#f-ticket_price", price)
    page.fill("#f-max_number", "1.999")
    page.click(f"button:has-text('{button}')")
    expect(page.locator("h1")).to_contain_text(title)


def test_spanish_on_a_phone_price_1_50(spanish_phone: Any, live_server: Any, staff: Any) -> None:
    errors: list[str] = []
    page = _watch(spanish_phone.new_page(), errors)
    login(page, live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("nav")).to_contain_text("Rifas")

    # Typed the English way: refused with a Spanish message, nothing created.
    page.goto(live_server.url + "/portal/raffles/new/")
    unicorn_ready(page, "raffle-form")
    page.fill("#f-title", "Rifa de Navidad")
    page.fill("#f-ticket_price", "1.50")
    page.click("button:has-text('Crear rifa')")
    expect(page.locator("[data-field=ticket_price] .field-error")).to_contain_text("miles")
    assert not Raffle.objects.exists()

    _create(page, live_server.url, title="Rifa de Navidad", price="1,50", button="Crear rifa")
    raffle = Raffle.objects.get(title="Rifa de Navidad")
    assert (raffle.ticket_price, raffle.max_number) == (Decimal("1.50"), 1999)
    expect(page.locator("dl.facts")).to_contain_text("USD 1,50")
    expect(page.locator("main")).to_contain_text("2.000 números")

    page.goto(live_server.url + f"/portal/raffles/{raffle.pk}/edit/")
    expect(page.locator("#f-ticket_price")).to_have_value("1,50")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert errors == []


def test_portuguese_chosen_on_my_account_on_a_desktop(
    english_desktop: Any, live_server: Any, staff: Any
) -> None:
    errors: list[str] = []
    page = _watch(english_desktop.new_page(), errors)
    login(page, live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("[data-testid=account]")
    page.select_option("#id_language", "pt-br")
    page.select_option("#id_time_zone", "America/Sao_Paulo")
    page.click("button[type=submit]:has-text('Save')")
    expect(page.locator("[data-testid=saved]")).to_contain_text("Suas preferências foram salvas.")
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    assert StaffPreferences.objects.get(user=staff).language == "pt-br"

    _create(page, live_server.url, title="Rifa de Natal", price="1.500,00", button="Criar rifa")
    raffle = Raffle.objects.get(title="Rifa de Natal")
    assert raffle.ticket_price == Decimal("1500.00")
    expect(page.locator("dl.facts")).to_contain_text("USD 1.500,00")
    expect(page.locator("nav")).to_contain_text("Rifas")
    assert errors == []


def test_spanish_portal_pictures(
    browser: Any, live_server: Any, staff: Any, tmp_path: Path
) -> None:
    """The main pages in Spanish on a desktop and a phone, saved as *-es-*.png (into
    docs/screenshots/ with PORTAL_SCREENSHOTS=1): no English left in the navigation, no
    sideways scrolling on the phone, no JavaScript errors."""
    data = _demo_data(lambda: None)
    out = _out_dir(tmp_path)
    errors: list[str] = []
    pages = {
        "dashboard": "/portal/",
        "raffle": f"/portal/raffles/{data['big'].pk}/",
        "raffle-form": "/portal/raffles/new/",
        "review": "/portal/review/",
        "order": f"/portal/orders/{data['order'].code}/",
    }
    for label, viewport in (("wide", WIDE), ("narrow", NARROW)):
        context = browser.new_context(viewport=viewport, locale="es-ES", device_scale_factor=1)
        page = _watch(context.new_page(), errors)
        login(page, live_server.url)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            expect(page.locator("html")).to_have_attribute("lang", "es")
            expect(page.locator("nav")).to_contain_text("Pedidos")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} scrolls sideways on a {label} screen ({overflow}px)"
            page.screenshot(path=str(out / f"{name}-es-{label}.png"), full_page=True)
        context.close()
    assert errors == []
