"""Flagged payment-link payments in a real browser, on a phone, in Spanish and Portuguese:
the reason in words, the order's link, and Mark handled taking the payment off the list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, login
from raffles import services
from raffles.models import LinkFlag, LinkPayment
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "reason", "handled"),
    [
        ("es-ES", "El comprador desconoció el pago (contracargo)", "Marcar atendido"),
        ("pt-BR", "O comprador contestou o pagamento (chargeback)", "Marcar como resolvido"),
    ],
)
def test_a_reviewer_on_a_phone_marks_a_chargeback_handled(
    browser: Any, live_server: Any, staff: Any, locale: str, reason: str, handled: str
) -> None:
    order = services.reserve_specific(make_raffle(size=20).pk, [3], BuyerFactory())
    payment = LinkPayment.objects.create(
        provider="mercadopago",
        payment_id="77",
        status="charged_back",
        order=order,
        amount=Decimal("10.00"),
        currency="USD",
        outcome=LinkPayment.Outcome.FLAGGED,
        flag=LinkFlag.CHARGED_BACK,
    )
    context = browser.new_context(viewport=NARROW, locale=locale, is_mobile=True, has_touch=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, live_server.url)
        page.goto(live_server.url + "/portal/review/")
        page.click("[data-testid=link-payments-link]")
        row = page.locator(f"tr[data-payment='{payment.pk}']")
        expect(row).to_contain_text(reason)
        expect(row.locator(f"a:has-text('{order.code}')")).to_be_visible()
        row.locator("button", has_text=handled).click()
        expect(page.locator("[data-testid=no-link-payments]")).to_be_visible()
    finally:
        context.close()
    assert LinkPayment.objects.get(pk=payment.pk).handled_at is not None
    assert errors == []
