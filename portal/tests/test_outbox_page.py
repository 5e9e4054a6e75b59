"""The outbox page: what is failing and why, and the Re-send button (staff only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.models import Contact, OutboundMessage
from portal.tests.conftest import unicorn_call
from raffles.models import OrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(db: None) -> OutboundMessage:
    contact = Contact.objects.create(wa_id="5215511112222", profile_name="Ana")
    return OutboundMessage.objects.create(
        contact=contact,
        to=contact.wa_id,
        kind="text",
        payload={
            "messaging_product": "whatsapp",
            "to": contact.wa_id,
            "type": "text",
            "text": {"body": "your numbers"},
        },
        status="failed",
        attempts=12,
        last_error="Gave up after retrying for 24 hours: HTTP 500 (131000)",
        failed_at=timezone.now(),
    )


def test_the_page_lists_failed_messages_with_why(staff_client: Client, failed: Any) -> None:
    page = staff_client.get(reverse("portal:outbox")).content.decode()
    assert f'data-testid="outbox-row-{failed.pk}"' in page
    assert "Gave up after retrying for 24 hours" in page
    assert "Re-send" in page
    assert ">12<" in page


def test_staff_resend_from_the_portal_is_audited(
    staff_client: Client, staff_user: Any, failed: Any, settings: Any
) -> None:
    settings.WHATSAPP_SANDBOX = True
    result = unicorn_call(staff_client, "outbox", f"resend({failed.pk})")
    assert result.status_code == 200
    failed.refresh_from_db()
    assert failed.status in ("queued", "sent")
    assert failed.resent_at is not None
    event = OrderEvent.objects.get(kind="outbox_resent")
    assert event.actor_user == staff_user
    assert "queued again" in result.dom


def test_a_row_that_cannot_be_resent_shows_why(staff_client: Client, failed: Any) -> None:
    OutboundMessage.objects.filter(pk=failed.pk).update(status="sent")
    result = unicorn_call(staff_client, "outbox", f"resend({failed.pk})")
    assert result.status_code == 200
    assert "Only failed or undeliverable" in result.dom


def test_plain_users_cannot_resend(plain_client: Client, failed: Any) -> None:
    result = unicorn_call(plain_client, "outbox", f"resend({failed.pk})")
    assert result.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"
