"""Selling at the counter from the ticket grid in a real browser: three numbers chosen by
click and shift-click, recorded as paid in cash, on a phone (English) and on a desktop in
Spanish; the printable receipt."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, WIDE, login, unicorn_ready
from raffles.models import Order, TicketNumber
from raffles.tests.factories import make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sell_three(page: Any, base: str, raffle_pk: int, *, name: str, button: str) -> None:
    page.goto(f"{base}/portal/raffles/{raffle_pk}/numbers/")
    unicorn_ready(page, "ticket-grid", "ticket-sale", "ticket-detail")
    page.locator("button.t[data-n='4']").click()
    page.locator("button.t[data-n='6']").click(modifiers=["Shift"])
    expect(page.locator("button.t.selected")).to_have_count(3)
    expect(page.locator("button.t[data-n='5']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#sale-numbers")).to_have_value("4, 5, 6")
    page.fill("#sale-name", name)
    page.fill("#sale-phone", "+52 155 1234 5678")
    page.select_option("#sale-method", "cash")
    page.get_by_role("button", name=button).click()
    expect(page.locator("[data-testid=sale-message]")).to_be_visible()


def test_a_cash_sale_of_three_numbers_on_a_phone(
    browser: Any, live_server: Any, staff: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=50, title="Counter raffle")
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        login(page, live_server.url)
        _sell_three(page, live_server.url, raffle.pk, name="Ana Pérez", button="Record sale")
        order = Order.objects.get()
        assert order.numbers() == [4, 5, 6]
        assert order.status == Order.Status.PAID
        assert order.sale_method == "cash"
        assert order.sold_by == staff
        sold = TicketNumber.objects.filter(raffle=raffle, status=TicketNumber.Status.SOLD)
        assert sold.count() == 3
        expect(page.locator("button.t[data-n='5']")).to_have_attribute("data-status", "SOLD")
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with context.expect_page() as opened:
            page.get_by_role("link", name="Print receipt").click()
        receipt = opened.value
        expect(receipt.locator("[data-testid=receipt-numbers]")).to_have_text("04, 05, 06")
        expect(receipt.locator("[data-testid=receipt-status]")).to_have_text("Paid")
    finally:
        context.close()
    assert page_errors == []


def test_a_cash_sale_in_spanish_on_a_desktop(
    browser: Any, live_server: Any, staff: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=50, title="Rifa de la feria")
    context = browser.new_context(viewport=WIDE, locale="es-ES")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        login(page, live_server.url)
        page.goto(f"{live_server.url}/portal/raffles/{raffle.pk}/numbers/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("#sale-title")).to_have_text("Números elegidos")
        _sell_three(page, live_server.url, raffle.pk, name="Lucía", button="Registrar venta")
        expect(page.locator("[data-testid=sale-message]")).to_contain_text("Vendido: pedido")
        order = Order.objects.get()
        assert order.numbers() == [4, 5, 6]
        assert order.status == Order.Status.PAID
        assert order.buyer.name == "Lucía"
    finally:
        context.close()
    assert page_errors == []
