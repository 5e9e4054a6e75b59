"""Notifications outside the 24-hour window go out as their own approved template."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.channel.identity import get_contact
from messaging.models import Contact, OutboundMessage
from raffles import services
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

ALL_APPROVED = (
    "raffle_receipt, raffle_hold_reminder, raffle_hold_expired, raffle_payment_rejected, "
    "raffle_draw_result, raffle_draw_reminder"
)


@pytest.fixture
def raffle():
    return make_raffle(size=100, title="TV", payment_instructions="Bank 1")


@pytest.fixture
def closed() -> Contact:
    """A buyer who last wrote two days ago: the window is closed."""
    contact = get_contact("5215577778888")
    contact.last_inbound_at = timezone.now() - timedelta(days=2)
    contact.save()
    return contact


def last_row(contact: Contact) -> OutboundMessage:
    return OutboundMessage.objects.filter(contact=contact).exclude(kind="read").last()


def test_receipt_outside_the_window_without_the_generic_template_goes_as_its_own_template(
    raffle, closed, settings
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    settings.WHATSAPP_APPROVED_TEMPLATES = ALL_APPROVED
    order = services.reserve_specific(raffle.pk, [1, 20], closed.buyer)
    services.confirm_paid(order)
    row = last_row(closed)
    assert row.status == OutboundMessage.Status.QUEUED, row.last_error
    assert row.kind == OutboundMessage.Kind.TEMPLATE
    template = row.payload["template"]
    assert template["name"] == "raffle_receipt"
    assert template["language"] == {"code": "en"}
    body = next(c for c in template["components"] if c["type"] == "body")
    texts = [p["text"] for p in body["parameters"]]
    assert order.code in texts
    assert "01, 20" in texts
