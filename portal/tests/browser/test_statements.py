"""Bank statements in a real browser: import a CSV from the review page, see the results,
and assign the unmatched line to its order with one click."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from raffles import services
from raffles.models import Order
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_a_csv_and_assign_the_unmatched_line(
    page: Any, live_server: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=50, title="Statement raffle")
    matched = services.reserve_specific(raffle.pk, [1, 2], BuyerFactory())
    waiting = services.reserve_specific(raffle.pk, [3], BuyerFactory())
    csv = (
        "Fecha;Concepto;Importe\n"
        f"01/12/2026;Transferencia {matched.code.lower()};20,00\n"
        "01/12/2026;Transferencia sin referencia;10,00\n"
        "02/12/2026;Comision;-1,00\n"
    ).encode()

    page.goto(live_server.url + "/portal/review/")
    page.click("[data-testid=statements-link]")
    page.set_input_files(
        "input[name=file]", {"name": "banco.csv", "mimeType": "text/csv", "buffer": csv}
    )
    page.click("[data-testid=statement-upload] button[type=submit]")
    counts = page.locator("[data-testid=import-counts]")
    expect(counts).to_contain_text("3 lines: 1 confirmed")
    expect(counts).to_contain_text("1 unmatched")
    row = page.locator("[data-testid=unmatched] tr[data-line]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("sin referencia")

    row.locator("input[name=code]").fill(waiting.code)
    row.locator("button[value=assign]").click()
    expect(page.locator("[data-testid=queue-empty]")).to_be_visible()
    assert Order.objects.get(pk=matched.pk).status == Order.Status.PAID
    assert Order.objects.get(pk=waiting.pk).status == Order.Status.PAID
    assert page_errors == []
