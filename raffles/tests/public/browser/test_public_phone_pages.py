"""The public pages of a lottery-drawn raffle with several prizes, bundles and an early-bird
draw, on a phone in Spanish and Portuguese: the raffle page (also through a seller's link),
its live draw pages and a buyer's e-ticket. None scrolls sideways, none logs a JavaScript
error, and the raffle page states the draw's rule and its fallback from the start."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.tests.phone_pages import pages_wider_than_the_screen
from raffles import services
from raffles.public.tickets import ticket_path
from raffles.services.pricing import set_prices
from raffles.tests.drawing import sell
from raffles.tests.factories import make_raffle
from raffles.tests.public.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "prizes", "fallback"),
    [("es-ES", "Premios", "más cercano"), ("pt-BR", "Prêmios", "mais próximo")],
)
def test_public_pages_fit_a_phone(
    public_browser: Any, live_server: Any, locale: str, prizes: str, fallback: str
) -> None:
    raffle = make_raffle(size=1000, active=False, title="Rifa de la moto", slug="moto-2027")
    services.set_draw_setup(
        raffle,
        method="lottery-digits-v1",
        fallback="next-sold",
        prize_names=["Una moto Honda CB 190R con casco y seguro por un año", "Televisor 55"],
    )
    raffle = services.activate_raffle(raffle=raffle)
    set_prices(raffle=raffle, tiers=[{"quantity": 3, "price": "25"}])
    early = services.create_early_draw(
        raffle,
        title="Pagados antes del viernes",
        cutoff=timezone.now() + timedelta(days=2),
        prize_names=["Cena para dos"],
    )
    order = sell(raffle, [7, 123, 999])
    pages = {
        "raffle": f"/r/{raffle.slug}/",
        "seller link": f"/r/{raffle.slug}/?s=ANA",
        "live draw": f"/r/{raffle.public_id}/draw/",
        "early draw": f"/r/{raffle.public_id}/draw/early/{early.pk}/",
        "e-ticket": ticket_path(order),
    }
    context = public_browser.new_context(viewport=PHONE, locale=locale, is_mobile=True)
    context.set_default_timeout(10_000)
    errors: list[str] = []

    def shows_the_draw(name: str, page: Any) -> None:
        if name == "raffle":
            expect(page.locator("body")).to_contain_text(prizes)
            expect(page.locator("#prize-list li")).to_have_count(2)
            expect(page.locator("#fallback")).to_contain_text(fallback)

    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        wide = pages_wider_than_the_screen(page, live_server.url, pages, shows_the_draw)
    finally:
        context.close()
    assert wide == [], f"public pages that scroll sideways on a phone in {locale}: {wide}"
    assert errors == []
