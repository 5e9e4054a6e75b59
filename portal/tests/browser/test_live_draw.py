"""The public live draw page on a phone, in Spanish and in Portuguese, waiting while a staff
member draws from the portal: it reveals the winners without a reload, then stays as the
record."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from portal.tests.browser.conftest import NARROW, click_until_shown, unicorn_ready
from raffles import services
from raffles.public import memo
from raffles.tests.drawing import sell
from raffles.tests.factories import make_raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh() -> None:
    cache.clear()
    memo.forget_all()


def _viewer(browser: Any, url: str, errors: list[str], *, reduced: bool = False) -> Any:
    context = browser.new_context(
        viewport=NARROW, is_mobile=True, reduced_motion="reduce" if reduced else "no-preference"
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(url)
    return phone


def test_phones_see_the_result_when_staff_draw(
    browser: Any, page: Any, live_server: Any, page_errors: list[str]
) -> None:
    raffle = make_raffle(size=1000, title="Rifa del club", active=False)
    services.set_draw_setup(
        raffle, method="lottery-digits-v1", fallback="next-prize", prize_names=["Auto", "TV"]
    )
    raffle = services.activate_raffle(raffle=raffle)
    sell(raffle, [250])
    sell(raffle, [999])
    services.close_raffle(raffle)

    base = f"{live_server.url}/r/{raffle.public_id}/draw/"
    spanish = _viewer(browser, base + "?lang=es", page_errors)
    portuguese = _viewer(browser, base + "?lang=pt-br", page_errors, reduced=True)
    expect(spanish.locator("#waiting")).to_contain_text("Esperando el sorteo")
    expect(spanish.locator("#fallback")).to_contain_text("siguiente premio")
    expect(portuguese.locator("#waiting")).to_contain_text("Aguardando o sorteio")
    for phone in (spanish, portuguese):
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(f"{live_server.url}/portal/raffles/{raffle.pk}/")
    unicorn_ready(page, "draw-panel")
    page.fill("#f-lottery_numbers", "48123 11250 07999")
    page.fill("#f-lottery_date", timezone.localdate().isoformat())
    page.fill("#f-lottery_source", "Lotería Nacional")
    page.fill("#f-lottery_url", "https://lottery.example.test/r")
    click_until_shown(page, "[data-testid=draw]", page.locator("[data-testid=winners]"))

    # No reload: the pages poll and reveal.
    expect(spanish.locator("#winners .winner")).to_have_text(["250", "999"], timeout=15_000)
    expect(spanish.locator("#winners")).to_contain_text("Premio 1 · Auto")
    expect(spanish.locator("#winners")).to_have_class("winners revealing")
    expect(portuguese.locator("#winners")).to_contain_text("Prêmio 2 · TV", timeout=15_000)
    animation = portuguese.evaluate(
        "getComputedStyle(document.querySelector('#winners li')).animationName"
    )
    assert animation == "none"  # reduced motion: shown at once
    expect(spanish.locator("#lottery-results")).to_contain_text("48123, 11250, 07999")
    expect(spanish.locator("#entries-download")).to_be_visible()
    assert page_errors == []

    # Later visitors get the permanent record straight away.
    spanish.reload()
    expect(spanish.locator("#winners .winner")).to_have_text(["250", "999"])
    expect(spanish.locator("#recipe")).to_contain_text("48123")
    spanish.context.close()
    portuguese.context.close()
