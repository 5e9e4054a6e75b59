"""In a real Chromium: undoing a confirmation from the review queue's toast (key u), refunds
and a paid cancellation on the order page, and the raffle form showing every error at once
on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, login, unicorn_ready
from raffles import services
from raffles.models import Order, Refund, TicketNumber
from raffles.tests.factories import make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cf00000301010018dd8db40000000049454e44ae426082"
)


def test_undo_from_the_review_toast_then_refund_and_cancel(
    page: Any, live_server: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=100, title="Undo raffle")
    buyer = services.get_or_create_buyer(phone="+15550100066", name="Rosa Díaz")
    order = services.reserve_specific(raffle.pk, [3, 4], buyer)
    services.attach_payment_proof(order, content=PNG, mime_type="image/png")

    page.goto(live_server.url + "/portal/review/")
    unicorn_ready(page, "review-queue")
    expect(page.locator("[data-testid=order-code]")).to_have_text(order.code)
    page.keyboard.press("c")
    expect(page.locator("[data-testid=undo-toast]")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    page.keyboard.press("u")
    expect(page.locator("[data-testid=review-notice]")).to_contain_text("undone")
    expect(page.locator("[data-testid=order-code]")).to_have_text(order.code)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=undo-toast]")).to_be_visible()

    page.goto(f"{live_server.url}/portal/orders/{order.code}/")
    unicorn_ready(page, "order-detail")
    page.click("[data-testid=order-refund]")
    expect(page.locator("#refund-amount")).to_have_value("20.00")
    page.fill("#refund-amount", "5")
    page.select_option("#refund-method", "transfer")
    page.fill("#refund-note", "Half of one ticket")
    page.click("[data-testid=order-refund-confirm]")
    expect(page.locator("[data-testid=refunds]")).to_contain_text("Half of one ticket")
    assert Refund.objects.get(order=order).method == "transfer"

    page.click("[data-testid=order-cancel-paid]")
    page.click("[data-testid=order-cancel-paid-confirm]")  # no reason yet
    expect(page.locator("#e-cancel-reason")).to_be_visible()
    page.fill("#cancel-reason", "Buyer asked to withdraw")
    page.check("[data-testid=release-no]")
    page.click("[data-testid=order-cancel-paid-confirm]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Cancelled")
    expect(page.locator("[data-testid=closed-reason]")).to_have_text("Buyer asked to withdraw")
    statuses = TicketNumber.objects.filter(raffle=raffle, number__in=[3, 4])
    assert set(statuses.values_list("status", flat=True)) == {"SOLD"}  # kept out of sale
    assert page_errors == []


def test_the_raffle_form_shows_every_error_at_once_on_a_phone(
    browser: Any, live_server: Any, staff: Any
) -> None:
    context = browser.new_context(viewport=NARROW)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, live_server.url)
        page.goto(live_server.url + "/portal/raffles/new/")
        unicorn_ready(page, "raffle-form")
        page.fill("#f-max_tickets_per_order", "5000")
        page.fill("#f-draw_at", "2001-01-01T10:00")
        page.click("button:has-text('Create raffle')")  # one submit
        for field in ("title", "ticket_price", "max_tickets_per_order", "draw_at"):
            expect(page.locator(f"[data-field={field}] .field-error")).to_be_visible()
        expect(page.locator("[data-field=max_tickets_per_order] .field-error")).to_contain_text(
            "100 numbers"
        )
        expect(page.locator(".field-error")).to_have_count(4)
        page.locator("[data-field=draw_at] .field-error").scroll_into_view_if_needed()
        box = page.locator("[data-field=draw_at] .field-error").bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= NARROW["width"]  # readable without scrolling sideways
        assert errors == []
    finally:
        context.close()
