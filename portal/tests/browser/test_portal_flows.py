"""The portal in a real headless Chromium: log in, create a raffle, buy in the simulator, watch
the grid change live, review payments, and the access rules as a browser sees them."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from portal.tests.browser.conftest import PASSWORD, click_until_shown, login, unicorn_ready
from raffles import services
from raffles.models import Order, Raffle
from raffles.tests.factories import make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cf00000301010018dd8db40000000049454e44ae426082"
)


def _bot_count(sim: Any) -> int:
    return sim.locator("[data-testid=sim-bot]").count()


def say(sim: Any, text: str) -> None:
    before = _bot_count(sim)
    sim.fill("#sim-text", text)
    sim.press("#sim-text", "Enter")
    expect(sim.locator("[data-testid=sim-bot]")).not_to_have_count(before, timeout=10_000)


def tap(sim: Any, title: str) -> None:
    last = sim.locator("[data-testid=sim-bot]").last
    if last.locator("details").count():
        last.locator("summary").click()
    before = _bot_count(sim)
    last.locator("button[data-choice]", has_text=title).first.click()
    expect(sim.locator("[data-testid=sim-bot]")).not_to_have_count(before, timeout=10_000)


def test_login_required_and_logout(context: Any, live_server: Any, staff: Any) -> None:
    page = context.new_page()
    page.goto(live_server.url + "/portal/orders/")
    expect(page).to_have_url(re.compile(r"/portal/login/\?next=/portal/orders/"))
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".alert.error")).to_be_visible()
    page.fill("#id_username", "clerk")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(live_server.url + "/portal/orders/")
    page.click("text=Log out")
    expect(page).to_have_url(re.compile(r"/portal/login/"))
    page.goto(live_server.url + "/portal/")
    expect(page).to_have_url(re.compile(r"/portal/login/"))


def test_non_staff_cannot_sign_in(context: Any, live_server: Any, transactional_db: None) -> None:
    get_user_model().objects.create_user("buyer", password=PASSWORD)
    page = context.new_page()
    page.goto(live_server.url + "/portal/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".alert.error")).to_contain_text("no access to the staff portal")


def test_create_raffle_with_inline_errors_and_generate(
    page: Any, live_server: Any, page_errors: list[str]
) -> None:
    page.click("nav >> text=Raffles")
    page.click("text=New raffle")
    page.fill("#f-title", "Browser raffle")
    page.fill("#f-ticket_price", "abc")
    page.fill("#f-min_number", "0")
    page.fill("#f-max_number", "499")
    page.click("button:has-text('Create raffle')")
    error = page.locator("[data-field=ticket_price] .field-error")
    expect(error).to_contain_text("must be a number")
    expect(page.locator("[data-field=ticket_price]")).to_have_class(re.compile("invalid"))

    page.fill("#f-ticket_price", "2.50")
    page.fill("#f-min_number", "600")
    page.click("button:has-text('Create raffle')")
    expect(page.locator("[data-field=max_number] .field-error")).to_contain_text(
        "must not be smaller"
    )
    page.fill("#f-min_number", "0")
    page.fill("#f-payment_instructions", "Transfer to account 123")
    page.click("button:has-text('Create raffle')")
    expect(page.locator("h1")).to_contain_text("Browser raffle")
    raffle = Raffle.objects.get(title="Browser raffle")
    assert raffle.max_number == 499

    page.click("[data-testid=generate]")
    expect(page.locator("[data-testid=available]")).to_have_text("500")
    page.click("[data-testid=activate]")
    expect(page.locator("h1 .pill")).to_have_text("Active")
    page.click("text=Ticket grid")
    expect(page.locator("button.t[data-n]")).to_have_count(500)
    expect(page.locator("button.t[data-n='7']")).to_have_text("007")
    assert page_errors == []


def test_buy_in_simulator_grid_live_review_and_receipt(
    page: Any, context: Any, live_server: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=100, title="Live raffle")
    base = live_server.url

    grid = page
    grid.goto(f"{base}/portal/raffles/{raffle.pk}/numbers/")
    cell5 = grid.locator("button.t[data-n='5']")
    cell12 = grid.locator("button.t[data-n='12']")
    expect(cell5).to_have_attribute("data-status", "AVAILABLE")

    sim = context.new_page()
    sim.goto(f"{base}/portal/simulator/")
    say(sim, "hi")
    tap(sim, "Live raffle")
    say(sim, "5, 12")
    expect(sim.locator("[data-testid=sim-bot]").last).to_contain_text("Reserved")
    reserved_at = time.monotonic()
    order = Order.objects.get(raffle=raffle)

    # The open grid changes colour by itself (no reload) within 2 seconds.
    expect(cell5).to_have_attribute("data-status", "RESERVED", timeout=2_000)
    expect(cell12).to_have_attribute("data-status", "RESERVED", timeout=2_000)
    assert time.monotonic() - reserved_at < 2.5
    cell5.click()
    expect(grid.locator("#ticket-detail")).to_contain_text(order.code)

    _send_proof(sim, order)

    review = context.new_page()
    review.goto(f"{base}/portal/review/")
    unicorn_ready(review, "review-queue")
    expect(review.locator("[data-testid=order-code]")).to_have_text(order.code)
    expect(review.locator("[data-testid=proof-image]")).to_be_visible()
    review.keyboard.press("c")
    expect(review.locator("[data-testid=review-notice]")).to_contain_text(
        f"Order {order.code} confirmed"
    )
    expect(review.locator("[data-testid=queue-empty]")).to_be_visible()

    expect(cell5).to_have_attribute("data-status", "SOLD", timeout=3_000)
    # The receipt (the ticket picture follows it).
    receipt = sim.locator("[data-testid=sim-bot]").filter(has_text="Payment confirmed")
    expect(receipt).to_have_count(1, timeout=5_000)
    expect(receipt).to_contain_text(order.code)
    assert page_errors == []


def _send_proof(sim: Any, order: Order) -> None:
    """Through the simulator when the channel can fetch sandbox media; otherwise (until
    messaging provides `messaging.channel.sandbox.register_media`) straight through the service."""
    try:
        from messaging.channel import sandbox  # noqa: F401
    except ImportError:
        services.attach_payment_proof(
            order, content=PNG, mime_type="image/png", filename="receipt.png"
        )
        return
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(PNG)
        handle.flush()
        sim.set_input_files("[data-sim-file]", handle.name)
        expect(sim.locator("[data-sim-upload-status]")).to_have_text("Sent.")
    expect(sim.locator("[data-testid=sim-bot]").last).to_contain_text("receipt", timeout=10_000)


def test_reject_with_a_reason(
    page: Any, context: Any, live_server: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=100, title="Reject raffle")
    base = live_server.url
    sim = context.new_page()
    sim.goto(f"{base}/portal/simulator/")
    say(sim, "hi")
    tap(sim, "Reject raffle")
    say(sim, "33")
    order = Order.objects.get(raffle=raffle)
    _send_proof(sim, order)

    page.goto(f"{base}/portal/review/")
    unicorn_ready(page, "review-queue")
    expect(page.locator("[data-testid=order-code]")).to_have_text(order.code)
    error = page.locator("#reject-reason ~ .field-error")
    click_until_shown(page, "[data-testid=reject]", error)
    expect(error).to_contain_text("Say why")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator("#reject-reason")).to_be_focused()
    page.keyboard.type("The amount does not match")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-testid=review-notice]")).to_contain_text("rejected")
    expect(sim.locator("[data-testid=sim-bot]").last).to_contain_text(
        "The amount does not match", timeout=5_000
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert page_errors == []


def test_new_proofs_appear_live_in_the_review_queue(
    page: Any, live_server: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=100)
    page.goto(live_server.url + "/portal/review/")
    expect(page.locator("[data-testid=queue-empty]")).to_be_visible()
    order = services.reserve_specific(
        raffle.pk, [1], services.get_or_create_buyer(phone="+15550100077")
    )
    services.attach_payment_proof(order, content=PNG, mime_type="image/png")
    expect(page.locator("[data-testid=order-code]")).to_have_text(order.code, timeout=5_000)
    assert page_errors == []


def test_order_search_and_cancel(page: Any, live_server: Any, page_errors: list[str]) -> None:
    raffle = make_raffle(size=100)
    buyer = services.get_or_create_buyer(phone="+15550100088", name="Searchable Person")
    order = services.reserve_specific(raffle.pk, [42], buyer)
    page.goto(live_server.url + "/portal/orders/")
    unicorn_ready(page, "order-list")
    page.fill("#order-q", "searchable")
    expect(page.locator("[data-testid=orders] tbody tr")).to_have_count(1)
    page.click(f"text={order.code}")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Pending payment")
    page.click("[data-testid=order-cancel]")
    page.click("[data-testid=order-cancel-confirm]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Cancelled")
    assert page_errors == []


def test_plain_users_get_nothing_from_the_unicorn_endpoint(
    context: Any, live_server: Any, transactional_db: None
) -> None:
    get_user_model().objects.create_user("buyer", password=PASSWORD, is_staff=True)
    page = context.new_page()
    login(page, live_server.url, "buyer")
    get_user_model().objects.filter(username="buyer").update(is_staff=False)
    page.close()  # its poller would reload on the 403 (portal.js), racing this check
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    response = context.request.post(  # the browser's own session cookie
        live_server.url + "/unicorn/message/dashboard",
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        data=json.dumps({"id": "x", "data": {}, "meta": "x", "actionQueue": []}),
    )
    assert response.status == 403
