"""Every main page on a phone (390 px) and a desktop (1280 px): no sideways scrolling on the
phone, no JavaScript errors. With PORTAL_SCREENSHOTS=1 the pictures are saved to
docs/screenshots/ (for the README); otherwise to a temporary directory."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from messaging.models import Contact
from portal.tests.browser.conftest import NARROW, WIDE, login
from portal.tests.browser.receipt import receipt_png
from raffles import services
from raffles.models import Order, Raffle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = receipt_png()
PEOPLE = [
    ("+5215511110001", "Ana López"),
    ("+5215511110002", "Bruno Díaz"),
    ("+5215511110003", "Carla Méndez"),
    ("+5215511110004", "Diego Ramírez"),
    ("+5215511110005", "Elena Torres"),
]


def _demo_data(simulate: Any) -> dict[str, Any]:
    call_command("load_demo", verbosity=0)
    big = Raffle.objects.get(max_number=9999)
    small = Raffle.objects.get(max_number=99)
    services.create_raffle(
        title="Christmas Hamper", ticket_price="3", max_number=499, prize="A hamper"
    )
    buyers = [services.get_or_create_buyer(phone=p, name=n) for p, n in PEOPLE]
    services.reserve_specific(big.pk, list(range(1200, 1206)), buyers[2])  # before random ones
    paid = []
    for i, buyer in enumerate(buyers):
        order = services.reserve_random(big.pk, 8 + i * 3, buyer)
        if i < 3:
            services.confirm_paid(order)
            paid.append(order)
    first = services.reserve_specific(small.pk, [7, 21, 77], buyers[0])
    services.attach_payment_proof(first, content=PNG, mime_type="image/png", filename="r.png")
    dup = services.reserve_specific(small.pk, [13], buyers[1])
    services.attach_payment_proof(dup, content=PNG, mime_type="image/png", filename="r.png")
    simulate()
    Contact.objects.filter(wa_id__startswith="1555010").update(wants_agent=True)
    Order.objects.filter(pk=paid[0].pk).update(paid_at=timezone.now() - timedelta(hours=2))
    return {"big": big, "small": small, "order": first}


def _out_dir(tmp_path: Path) -> Path:
    if os.environ.get("PORTAL_SCREENSHOTS"):
        out = Path(settings.BASE_DIR) / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


def test_main_pages_on_a_phone_and_a_desktop(
    browser: Any, live_server: Any, staff: Any, tmp_path: Path
) -> None:
    base = live_server.url
    out = _out_dir(tmp_path)
    errors: list[str] = []

    def simulate() -> None:
        page = browser.new_page(viewport=WIDE)
        login(page, base)
        page.goto(base + "/portal/simulator/")
        page.fill("#sim-text", "hi")
        page.press("#sim-text", "Enter")
        page.locator("[data-testid=sim-bot]").first.wait_for()
        page.locator("[data-testid=sim-bot]").last.locator("summary").click()
        page.locator("button[data-choice]", has_text="Weekend Cash").last.click()
        page.wait_for_timeout(800)
        page.close()

    data = _demo_data(simulate)
    staff.is_superuser = True
    staff.save()
    contact = Contact.objects.order_by("-id").first()
    pages = {
        "dashboard": "/portal/",
        "raffles": "/portal/raffles/",
        "raffle": f"/portal/raffles/{data['big'].pk}/",
        "raffle-form": "/portal/raffles/new/",
        "ticket-grid": f"/portal/raffles/{data['big'].pk}/numbers/",
        "review": "/portal/review/",
        "orders": "/portal/orders/",
        "order": f"/portal/orders/{data['order'].code}/",
        "conversations": f"/portal/conversations/{contact.pk}/"
        if contact
        else "/portal/conversations/",
        "simulator": f"/portal/simulator/?wa={contact.wa_id}" if contact else "/portal/simulator/",
        "staff": "/portal/staff/",
    }
    for label, viewport in (("wide", WIDE), ("narrow", NARROW)):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/portal/login/")
        page.screenshot(path=str(out / f"login-{label}.png"))
        login(page, base)
        for name, path in pages.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if name == "ticket-grid":
                page.fill("#grid-jump", "1203")
                page.press("#grid-jump", "Enter")
                page.locator("[data-testid=detail-number]").wait_for()
            if name == "simulator":
                page.locator("[data-testid=sim-chat]").wait_for()
            page.wait_for_timeout(300)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} scrolls sideways on a {label} screen ({overflow}px)"
            full = not (label == "narrow" and name == "ticket-grid")
            page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=full)
        context.close()
    assert errors == []
