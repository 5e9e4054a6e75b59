"""The message templates page: every template × language, which are missing or not approved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from messaging.bot import message_templates as mt

pytestmark = pytest.mark.django_db


def cell(page: str, key: str) -> str:
    start = page.index(f'data-template="{key}"')
    return page[start : page.index("</td>", start)]


def test_staff_see_every_template_and_which_are_not_approved(
    staff_client: Client, settings
) -> None:
    settings.WHATSAPP_APPROVED_TEMPLATES = "raffle_receipt, raffle_hold_reminder:es"
    page = staff_client.get(reverse("portal:templates")).content.decode()
    for definition in mt.DEFINITIONS:
        for code in ("en", "es", "pt_BR"):
            assert f'data-template="{definition.name}:{code}"' in page
    assert "not approved" not in cell(page, "raffle_receipt:pt_BR")
    assert "approved" in cell(page, "raffle_receipt:pt_BR")
    assert "not approved" not in cell(page, "raffle_hold_reminder:es")
    assert "not approved" in cell(page, "raffle_hold_reminder:en")
    total = len(mt.DEFINITIONS) * 3
    assert f"{total - 4} of {total} templates are missing or not approved" in page
    assert "Pago confirmado del pedido {{1}}" in page


def test_a_missing_translation_is_shown(staff_client: Client, monkeypatch) -> None:
    untranslated = mt.TemplateDefinition(
        key="x",
        name="raffle_new",
        category=mt.Category.UTILITY,
        body="Brand new {{1}} text.",
        examples=("a",),
    )
    monkeypatch.setattr(mt, "DEFINITIONS", (untranslated,))
    page = staff_client.get(reverse("portal:templates")).content.decode()
    assert "missing translation" in cell(page, "raffle_new:es")
    assert "missing translation" not in cell(page, "raffle_new:en")


def test_the_nav_links_the_page(staff_client: Client) -> None:
    page = staff_client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:templates") in page
