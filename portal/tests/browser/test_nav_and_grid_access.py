"""The navigation on a phone, the live Review badge, and the ticket grid for keyboard and
screen-reader users (one tab stop per block, arrow keys inside, status in each name), plus
the skip link on every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, login
from raffles import services
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = [
    ("Dashboard", "/portal/"),
    ("Raffles", "/portal/raffles/"),
    ("Review", "/portal/review/"),
    ("Orders", "/portal/orders/"),
    ("Conversations", "/portal/conversations/"),
    ("Outbox", "/portal/outbox/"),
    ("FAQ", "/portal/faq/"),
    ("Simulator", "/portal/simulator/"),
    ("Staff", "/portal/staff/"),
    ("API keys", "/portal/api-keys/"),
]


@pytest.fixture
def phone(browser: Any, live_server: Any, staff: Any, page_errors: list[str]) -> Any:
    context = browser.new_context(viewport=NARROW)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    login(page, live_server.url)
    yield page
    context.close()


def _open_menu_if_needed(page: Any) -> None:
    toggle = page.locator("[data-testid=nav-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")


def test_every_nav_item_is_reachable_on_a_phone(
    phone: Any, live_server: Any, staff: Any, page_errors: list[str]
) -> None:
    staff.is_superuser = True
    staff.save()
    phone.reload()
    width = phone.evaluate("document.documentElement.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    for label, path in NAV:
        phone.goto(live_server.url + "/portal/")
        _open_menu_if_needed(phone)
        link = phone.locator("nav[aria-label=Main]").get_by_role("link", name=label, exact=False)
        link = link.filter(has_text=label).first
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None, label
        assert box["x"] >= 0, label
        assert box["x"] + box["width"] <= width, label
        # no part of the nav is hidden in a sideways scroll
        assert phone.evaluate(
            "() => { const n = document.querySelector('nav[aria-label=Main]');"
            " return n.scrollWidth <= n.clientWidth; }"
        ), label
        link.click()
        phone.wait_for_url(live_server.url + path)
    assert page_errors == []


def test_the_review_badge_counts_a_new_proof_without_a_reload(page: Any, live_server: Any) -> None:
    raffle = make_raffle(size=100, title="Badge raffle")
    order = services.reserve_specific(raffle.pk, [5], BuyerFactory())
    page.goto(live_server.url + "/portal/raffles/")
    badge = page.locator("[data-testid=review-badge]")
    expect(badge).to_have_text("")
    services.attach_payment_proof(order, content=b"%PDF-1.4 proof", mime_type="application/pdf")
    expect(badge).to_have_text("1", timeout=20_000)


def test_the_grid_is_one_tab_stop_with_arrow_keys_and_named_statuses(
    page: Any, live_server: Any
) -> None:
    raffle = make_raffle(size=1000, title="Grid raffle")
    buyer = BuyerFactory()
    sold = services.reserve_specific(raffle.pk, [5], buyer)
    services.confirm_paid(sold)
    services.reserve_specific(raffle.pk, [6], buyer)
    page.goto(f"{live_server.url}/portal/raffles/{raffle.pk}/numbers/")
    cells = page.locator("[data-testid=tickets] button")
    expect(cells).to_have_count(1000)

    # statuses are in the accessible names
    expect(page.get_by_role("button", name="005, sold", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="006, reserved", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="007, available", exact=True)).to_have_count(1)

    # one tab stop: from the control before the grid, Tab lands on a number, the next Tab
    # leaves the grid
    assert cells.evaluate_all("(els) => els.filter((e) => e.tabIndex === 0).length") == 1
    page.locator("[data-testid=block-label]").click()
    page.locator("[aria-label='Next block']").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.n")
    while focused is None:  # the legend or other controls between
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.dataset.n")
    assert focused == "0"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.n") == "1"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=tickets]'))"
        ".gridTemplateColumns.split(' ').length"
    )
    assert page.evaluate("document.activeElement.dataset.n") == str(columns)
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.dataset.n") == "999"
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.dataset.n") == "0"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.n") is None
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.n") == "0"  # the roving stop


@pytest.mark.parametrize("path", ["/portal/", "/portal/raffles/", "/portal/orders/"])
def test_a_skip_link_leads_to_the_main_content(page: Any, live_server: Any, path: str) -> None:
    page.goto(live_server.url + path)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_be_visible()
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
