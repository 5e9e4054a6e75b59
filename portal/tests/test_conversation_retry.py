"""The conversation page marks a buyer's message parked as failed, and staff can retry it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.models import Contact, InboundMessage
from portal.tests.conftest import unicorn_call
from raffles.models import OrderEvent

pytestmark = pytest.mark.django_db(transaction=True)  # the retry's task runs at commit


def _parked(**fields: Any) -> InboundMessage:
    contact = Contact.objects.create(
        wa_id="5215511112222", profile_name="Ana", last_inbound_at=timezone.now()
    )
    return InboundMessage.objects.create(
        wa_message_id="wamid.P1",
        contact=contact,
        type="text",
        text="hola",
        timestamp=timezone.now(),
        status=InboundMessage.Status.FAILED,
        processed_at=timezone.now(),
        attempts=1,
        error="RuntimeError('bot bug')",
        **fields,
    )


def test_a_parked_message_is_marked_with_its_error_and_a_retry_button(staff_client: Client):
    message = _parked()
    page = staff_client.get(reverse("portal:conversation", args=[message.contact_id])).content
    page = page.decode()
    assert f'data-testid="failed-{message.pk}"' in page
    assert f'unicorn:click="retry({message.pk})"' in page
    assert "bot bug" in page


def test_staff_retry_a_parked_message(staff_client: Client):
    message = _parked()
    result = unicorn_call(
        staff_client, "conversation", f"retry({message.pk})", {"contact_id": message.contact_id}
    )
    assert result.status_code == 200
    assert "queued again" in result.data["notice"]
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.PROCESSED  # the bot handled it
    assert f'data-testid="retry-{message.pk}"' not in result.dom
    assert OrderEvent.objects.filter(kind="inbound_retried", actor_user__username="staff").exists()
    again = unicorn_call(
        staff_client, "conversation", f"retry({message.pk})", {"contact_id": message.contact_id}
    )
    assert "can be retried" in again.data["error"]


def test_a_message_of_another_conversation_is_refused(staff_client: Client):
    message = _parked()
    other = Contact.objects.create(wa_id="5215599990000")
    result = unicorn_call(
        staff_client, "conversation", f"retry({message.pk})", {"contact_id": other.pk}
    )
    assert result.data["error"]
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.FAILED


def test_retry_is_refused_to_non_staff(plain_client: Client):
    message = _parked()
    result = unicorn_call(
        plain_client, "conversation", f"retry({message.pk})", {"contact_id": message.contact_id}
    )
    assert result.status_code == 403
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.FAILED
