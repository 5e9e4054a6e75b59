"""The public raffle page in a real Chromium on a phone and a desktop: the board, the jump
to a number, the free-only toggle, the selection → wa.me link → the bot's reservation in two
messages, the million-number board and the e-ticket."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from messaging.testing.world import Phone, all_text
from messaging.tests.conftest import fake_graph, post_webhook  # noqa: F401 - fixtures
from raffles import services
from raffles.models import Order
from raffles.public import memo, tickets
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.WHATSAPP_DISPLAY_NUMBER = "15550001234"
    settings.ORGANIZER_NAME = "Club Rifas"
    cache.clear()
    memo.forget_all()


SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def screenshot(page: Any, name: str) -> None:
    """With PUBLIC_SCREENSHOTS=1 the pictures go to docs/screenshots/ (for the README)."""
    if os.environ.get("PUBLIC_SCREENSHOTS") == "1":
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_board_selection_builds_the_whatsapp_link_the_bot_understands(
    visitor: Any,
    live_server: Any,
    post_webhook: Any,  # noqa: F811
    fake_graph: Any,  # noqa: F811
) -> None:
    kind, page, errors = visitor
    raffle = make_raffle(
        size=10_000,
        title="Mountain bike",
        prize="A 29-inch mountain bike",
        description="Sales close on Friday; the draw is live on Saturday.",
        payment_instructions="Pay ACME",
    )
    services.update_raffle(raffle=raffle, slug="bike")
    services.reserve_specific(raffle.pk, [3], BuyerFactory())
    page.goto(live_server.url + "/r/bike/")
    expect(page.locator("#grid button.cell")).to_have_count(1000)
    expect(page.locator('#grid [data-n="3"]')).to_have_class("cell taken")
    assert page.locator('#grid [data-n="3"]').is_disabled()
    page.click('#grid [data-n="7"]')
    page.click('#grid [data-n="12"]')
    expect(page.locator("#selection")).to_contain_text("0007, 0012")
    page.locator("#board-section").scroll_into_view_if_needed()
    screenshot(page, f"public-board-{kind}")
    href = page.get_attribute("#wa-link", "href") or ""
    assert href.startswith("https://wa.me/15550001234?text=")
    text = parse_qs(urlsplit(href).query)["text"][0]
    assert text == "Hi! I want numbers 0007, 0012 in raffle #bike"
    if kind == "phone":
        assert no_sideways_scroll(page)
    assert errors == []

    phone = Phone(post_webhook, fake_graph, "44700900" + str(len(kind)), "Ana")
    answer = phone.text(text)
    assert "Reserved for you" in all_text(answer)
    assert "Pay ACME" in all_text(answer)  # the payment details in the same answer
    assert phone.sent == 1
    assert Order.objects.get(buyer__phone="+" + phone.wa_id).numbers() == [7, 12]


def test_jump_free_only_and_random_on_a_million_numbers(visitor: Any, live_server: Any) -> None:
    kind, page, errors = visitor
    raffle = make_raffle(size=1_000_000, max_tickets_per_order=10)
    services.reserve_specific(raffle.pk, [4521, 999_999], BuyerFactory())
    page.goto(f"{live_server.url}/r/{raffle.public_id}/")
    expect(page.locator("#grid button.cell")).to_have_count(1000)
    page.fill("#jump", "4521")
    page.click("#jump-form button[type=submit]")
    expect(page.locator("#jump-result")).to_have_text("004521 is taken")
    expect(page.locator('#grid [data-n="4521"]')).to_be_visible()
    page.fill("#jump", "4522")
    page.click("#jump-form button[type=submit]")
    expect(page.locator("#jump-result")).to_have_text("004522 is free")
    page.fill("#jump", "999999")
    page.click("#jump-form button[type=submit]")
    expect(page.locator("#jump-result")).to_have_text("999999 is taken")
    page.check("#only-free")
    expect(page.locator('#grid [data-n="999999"]')).to_be_hidden()
    expect(page.locator('#grid [data-n="999998"]')).to_be_visible()
    page.fill("#random-qty", "3")
    page.click("#random-pick")
    expect(page.locator("#grid .cell.chosen")).to_have_count(3)
    text = parse_qs(urlsplit(page.get_attribute("#wa-link", "href") or "").query)["text"][0]
    assert text.startswith("Hi! I want numbers ")
    if kind == "phone":
        assert no_sideways_scroll(page)
    assert errors == []


def test_the_language_switch(visitor: Any, live_server: Any) -> None:
    _kind, page, errors = visitor
    raffle = make_raffle(size=100)
    page.goto(f"{live_server.url}/r/{raffle.public_id}/")
    page.click('[data-lang="es"]')
    expect(page.locator("#wa-link")).to_have_text("Comprar por WhatsApp")
    page.click('[data-lang="pt-br"]')
    expect(page.locator("#wa-link")).to_have_text("Comprar pelo WhatsApp")
    assert errors == []


def test_the_e_ticket_and_its_qr(visitor: Any, live_server: Any) -> None:
    kind, page, errors = visitor
    raffle = make_raffle(size=100, title="Mountain bike")
    buyer = BuyerFactory(name="Marisol Quintero", phone="+5215512349876")
    order = services.confirm_paid(services.reserve_specific(raffle.pk, [7, 42], buyer))
    page.goto(f"{live_server.url}/r/{raffle.public_id}/")
    page.fill("input[name=code]", order.code)
    page.fill("input[name=phone]", "9876")
    page.click("#mine button[type=submit]")
    page.wait_for_url("**/ticket/**")
    assert page.url == live_server.url + tickets.ticket_path(order)
    expect(page.locator("#ticket-name")).to_have_text("Buyer: Marisol")
    expect(page.locator("#ticket-numbers li")).to_have_text(["07", "42"])
    expect(page.locator("#ticket-status")).to_have_text("Paid")
    screenshot(page, f"public-ticket-{kind}")
    assert page.evaluate("document.getElementById('ticket-qr').naturalWidth") > 0
    assert "Quintero" not in page.content()
    if kind == "phone":
        assert no_sideways_scroll(page)
    assert errors == []
