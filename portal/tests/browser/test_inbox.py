"""The inbox in a real Chromium: a staff member sees the unread count in the page title,
assigns the conversation to herself, leaves an internal note, inserts a canned reply in the
buyer's language and sends it (shown as hers, not the bot's), then sends a picture. On a
phone in English and on a desktop in Spanish."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from messaging.models import CannedReply, Contact, ConversationNote, InboundMessage, OutboundMessage
from portal.tests.browser.conftest import NARROW, WIDE, click_until_shown, login, unicorn_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _conversation(language: str) -> Contact:
    contact = Contact.objects.create(
        wa_id="5215511113333",
        profile_name="Lucía",
        language=language,
        state="payment",
        last_inbound_at=timezone.now() - timedelta(minutes=3),
    )
    InboundMessage.objects.create(
        wa_message_id="wamid.browser-inbox-1", contact=contact, type="text", text="¿Dónde pago?"
    )
    CannedReply.objects.create(
        title="Bank details",
        text_en="Pay to bank account 123.",
        text_es="Paga en la cuenta bancaria 123.",
    )
    return contact


def _watch(page: Any, errors: list[str]) -> Any:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "favicon" not in msg.text else None
        ),
    )
    return page


def _work_the_conversation(page: Any, base: str, contact: Contact, words: dict[str, str]) -> None:
    # The nav badge counts the unread message and the page title says it.
    expect(page.locator("[data-testid=unread-total]")).to_contain_text("1")
    expect(page).to_have_title(re.compile(r"^\(1\) "))

    page.goto(f"{base}/portal/conversations/{contact.pk}/")
    unicorn_ready(page, "conversation")
    expect(page.locator("[data-testid=state]")).to_contain_text(words["state"])

    click_until_shown(
        page,
        "[data-testid=assign-me]",
        page.locator("[data-testid=assignee]", has_text="Clara"),
    )
    assert Contact.objects.get(pk=contact.pk).assigned_to is not None

    page.fill("#conv-note", "Called her: she pays tonight")
    page.click("[data-testid=add-note]")
    expect(page.locator("[data-testid=note]")).to_contain_text("Called her: she pays tonight")
    assert ConversationNote.objects.count() == 1

    page.select_option("#conv-canned", label="Bank details")
    expect(page.locator("#conv-reply")).to_have_value(words["canned"])
    page.click("#conv-send")
    staff_bubble = page.locator(".bubble[data-sender=staff]")
    expect(staff_bubble).to_contain_text(words["canned"])
    expect(staff_bubble).to_contain_text("Clara")
    row = OutboundMessage.objects.get(kind="text")
    assert row.sent_by is not None
    assert row.payload["text"]["body"] == words["canned"]
    assert not any("Called her" in str(r.payload) for r in OutboundMessage.objects.all())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_inbox_on_a_phone(browser: Any, live_server: Any, staff: Any) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport=NARROW, locale="en-US", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    try:
        page = _watch(context.new_page(), errors)
        contact = _conversation("en")
        login(page, live_server.url)
        words = {"state": "Waiting for payment", "canned": "Pay to bank account 123."}
        _work_the_conversation(page, live_server.url, contact, words)
        # everything fits the phone: no sideways scrolling
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"] + 1, width
    finally:
        context.close()
    assert not errors, errors


def test_inbox_in_spanish_on_a_desktop(
    browser: Any, live_server: Any, staff: Any, tmp_path: Path
) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport=WIDE, locale="es-ES")
    context.set_default_timeout(10_000)
    try:
        page = _watch(context.new_page(), errors)
        contact = _conversation("es")
        login(page, live_server.url)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        words = {"state": "Esperando el pago", "canned": "Paga en la cuenta bancaria 123."}
        _work_the_conversation(page, live_server.url, contact, words)
        expect(page.locator("[data-testid=resolve]")).to_contain_text("Marcar como resuelta")

        picture = tmp_path / "tablero.png"
        picture.write_bytes(_png())
        page.set_input_files("#conv-file", str(picture))
        page.fill("#conv-caption", "El tablero")
        page.click("[data-testid=send-file]")
        expect(page.locator("[data-testid=flash]")).to_contain_text("Archivo en cola")
        image = OutboundMessage.objects.get(kind="image")
        assert image.payload["image"]["caption"] == "El tablero"
        assert image.sent_by is not None
    finally:
        context.close()
    assert not errors, errors
