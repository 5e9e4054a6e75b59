"""The audit log filtered, and a raffle's sales charts: on a phone (390×844, English) and in
Spanish on a desktop. Screenshots go to docs/screenshots with PORTAL_SCREENSHOTS=1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, WIDE, login
from portal.tests.browser.test_screens import _out_dir
from raffles import services
from raffles.audit import EventKind
from raffles.models import Order, Raffle
from raffles.services.events import log_event
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=NARROW, locale="en-US", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def spanish_desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE, locale="es-ES")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def sales(staff: Any) -> Raffle:
    raffle = make_raffle(size=100, title="Spring raffle")
    now = timezone.now()
    for i in range(6):
        buyer = BuyerFactory()
        order = services.reserve_specific(raffle.pk, [i * 3, i * 3 + 1], buyer, by=staff)
        services.confirm_paid(order, by=staff)
        Order.objects.filter(pk=order.pk).update(paid_at=now - timedelta(days=i % 3, hours=i))
    services.reserve_specific(raffle.pk, [50], BuyerFactory())
    log_event(kind=EventKind.RAFFLE_UPDATED, by=staff, raffle=raffle)
    return raffle


def phone_agent(page: Any) -> str:
    agent: str = page.evaluate("navigator.userAgent")
    return agent


def _fits_the_screen(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], width


def _add_faq(page: Any, base: str, button: str) -> None:
    """A staff action done in the browser: it records the browser's address and name."""
    page.goto(base + "/portal/faq/new/")
    page.fill("#id_question", "Opening hours")
    page.fill("#id_keywords_en", "hours")
    page.fill("#id_answer_en", "Nine to five")
    page.click(f"button:has-text('{button}')")
    page.wait_for_url(base + "/portal/faq/")


def test_audit_log_and_charts_on_a_phone(
    phone: Any, live_server: Any, sales: Raffle, tmp_path: Path
) -> None:
    out = _out_dir(tmp_path)
    page = phone.new_page()
    login(page, live_server.url)
    _add_faq(page, live_server.url, "Save")

    page.goto(live_server.url + "/portal/audit/")
    expect(page.locator("h1")).to_have_text("Audit log")
    page.select_option("#id_kind", "faq_added")
    page.click("button:has-text('Apply filters')")
    rows = page.locator("[data-testid=audit] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("FAQ entry added")
    expect(rows.first).to_contain_text("127.0.0.1")
    expect(rows.first.locator(".ua")).to_have_attribute("title", phone_agent(page))
    _fits_the_screen(page)
    page.screenshot(path=str(out / "audit-narrow.png"), full_page=True)

    page.select_option("#id_kind", "")
    page.select_option("#id_raffle", str(sales.pk))
    page.click("button:has-text('Apply filters')")
    expect(page.locator("[data-testid=audit] tbody tr[data-kind=paid]")).to_have_count(6)
    csv_href = page.locator("[data-testid=audit-csv]").get_attribute("href")
    assert f"raffle={sales.pk}" in csv_href

    page.goto(f"{live_server.url}/portal/raffles/{sales.pk}/")
    page.click("[data-testid=sales-link]")
    expect(page.locator("[data-testid=chart-days] svg")).to_be_visible()
    expect(page.locator("[data-testid=chart-hours] svg")).to_be_visible()
    expect(page.locator("[data-testid=money-confirmed]")).to_have_text("USD 120.00")
    expect(page.get_by_role("img", name="Numbers sold per day")).to_be_visible()
    _fits_the_screen(page)
    page.locator("[data-testid=chart-days] summary").click()
    expect(page.locator("[data-testid=table-days] tbody tr")).to_have_count(3)
    page.screenshot(path=str(out / "sales-narrow.png"), full_page=True)


def test_audit_log_and_charts_in_spanish(
    spanish_desktop: Any, live_server: Any, sales: Raffle, tmp_path: Path
) -> None:
    out = _out_dir(tmp_path)
    page = spanish_desktop.new_page()
    login(page, live_server.url)
    page.goto(live_server.url + "/portal/audit/")
    expect(page.locator("h1")).to_have_text("Registro de auditoría")
    page.select_option("#id_kind", "paid")
    page.click("button:has-text('Aplicar filtros')")
    expect(page.locator("[data-testid=audit] tbody tr")).to_have_count(6)
    expect(page.locator("[data-testid=audit] thead")).to_contain_text("Quién")
    page.screenshot(path=str(out / "audit-es-wide.png"), full_page=True)

    page.goto(f"{live_server.url}/portal/raffles/{sales.pk}/sales/")
    expect(page.locator("h1")).to_have_text("Ventas")
    expect(page.locator("#days-title")).to_have_text("Números vendidos por día")
    expect(page.locator("[data-testid=money-confirmed]")).to_have_text("USD 120,00")
    page.screenshot(path=str(out / "sales-es-wide.png"), full_page=True)
