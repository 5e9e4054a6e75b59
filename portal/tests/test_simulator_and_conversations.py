"""The simulator (signed webhook deliveries through the real webhook) and conversations."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.models import Contact, InboundMessage, OutboundMessage, WebhookDelivery
from portal import simulator
from portal.live import version_for
from portal.tests.conftest import unicorn_call
from raffles.models import Order, OrderEvent
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db(transaction=True)  # tasks run when the webhook commits

WA = "15550100042"


def _say(client: Client, text: str) -> Any:
    return unicorn_call(
        client,
        "simulator",
        f"send('{text}')",
        {"wa_id": WA, "name": "Sim Buyer"},
        component_id="sim",
    )


def test_payloads_are_meta_shaped_and_signed(staff_client: Client) -> None:
    result = _say(staff_client, "hi")
    assert result.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.signature_ok
    message = InboundMessage.objects.get()
    assert message.contact.wa_id == WA
    assert message.contact.profile_name == "Sim Buyer"
    assert message.text == "hi"
    assert message.type == "text"


def test_bot_replies_show_with_buttons_and_taps_go_back(staff_client: Client) -> None:
    make_raffle(size=100, title="Sim raffle")
    result = _say(staff_client, "hi")
    replies = OutboundMessage.objects.filter(contact__wa_id=WA).exclude(kind="read")
    assert replies.exists(), "the bot answered"
    assert all(r.status == OutboundMessage.Status.SENT for r in replies)  # sandbox: recorded
    dom = unicorn_call(staff_client, "simulator", "refresh", result.data, component_id="sim").dom
    assert 'data-testid="sim-bot"' in dom
    assert "data-choice=" in dom

    with_choices = next(r for r in replies.order_by("id") if r.kind in ("buttons", "list"))
    before = InboundMessage.objects.count()
    unicorn_call(
        staff_client, "simulator", f"tap({with_choices.pk}, 0)", result.data, component_id="sim"
    )
    tapped = InboundMessage.objects.order_by("-id").first()
    assert InboundMessage.objects.count() == before + 1
    assert tapped.type == "interactive"
    assert tapped.reply_id
    assert tapped.context_message_id == with_choices.wa_message_id


def test_buy_numbers_through_the_simulator(staff_client: Client) -> None:
    raffle = make_raffle(size=100, title="Sim raffle")
    _say(staff_client, "hi")
    _say(staff_client, "Sim raffle")
    _say(staff_client, "5, 12")
    order = Order.objects.get(raffle=raffle)
    assert order.numbers() == [5, 12]
    assert order.buyer.phone == f"+{WA}"


def test_tap_refuses_other_contacts_messages(staff_client: Client) -> None:
    _say(staff_client, "hi")
    row = OutboundMessage.objects.exclude(kind="read").first()
    result = unicorn_call(
        staff_client,
        "simulator",
        f"tap({row.pk}, 0)",
        {"wa_id": "15550100043"},
        component_id="sim2",
    )
    assert "not in this conversation" in result.data["error"]


def test_simulator_is_sandbox_only(staff_client: Client, settings: Any) -> None:
    settings.WHATSAPP_SANDBOX = False
    result = _say(staff_client, "hi")
    assert "sandbox mode only" in result.data["error"]
    assert not InboundMessage.objects.exists()


def test_bad_numbers_are_refused(staff_client: Client) -> None:
    result = unicorn_call(staff_client, "simulator", "send('hi')", {"wa_id": "12"})
    assert "international format" in result.data["error"]


def test_the_real_webhook_checks_the_signature(monkeypatch: Any) -> None:
    payload = simulator.text_payload(WA, "X", "hi")
    monkeypatch.setattr(simulator, "sign_body", lambda body: "sha256=" + "0" * 64)
    with pytest.raises(simulator.SimulatorError, match="answered 403"):
        simulator.deliver(payload)
    assert not WebhookDelivery.objects.exists()
    assert not InboundMessage.objects.exists()


def test_upload_checks_the_file(staff_client: Client) -> None:
    url = reverse("portal:simulator-upload")
    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    response = staff_client.post(url, {"wa_id": WA, "file": bad})
    assert response.status_code == 400
    assert "JPEG" in response.json()["error"]
    assert staff_client.post(url, {"wa_id": WA}).status_code == 400


def test_upload_goes_through_the_channel(staff_client: Client) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 32
    upload = SimpleUploadedFile("proof.png", png, content_type="image/png")
    response = staff_client.post(
        reverse("portal:simulator-upload"), {"wa_id": WA, "name": "Sim", "file": upload}
    )
    try:
        from messaging.channel import sandbox  # noqa: F401
    except ImportError:
        assert response.status_code == 409
        assert "sandbox media store" in response.json()["error"]
        return
    assert response.status_code == 200
    message = InboundMessage.objects.get(type="image")
    assert message.media_id == response.json()["media_id"]


def test_upload_refused_to_non_staff(plain_client: Client) -> None:
    assert plain_client.post(reverse("portal:simulator-upload")).status_code == 403


# --- Conversations ------------------------------------------------------------------------------


def _contact(**fields: Any) -> Contact:
    defaults = {"wa_id": "5215511112222", "profile_name": "Ana", "last_inbound_at": timezone.now()}
    return Contact.objects.create(**{**defaults, **fields})


def test_conversation_list_highlights_wants_agent(staff_client: Client) -> None:
    _contact(wa_id="5215500000001", profile_name="Calm")
    _contact(wa_id="5215500000002", profile_name="Needs help", wants_agent=True)
    page = staff_client.get(reverse("portal:conversations")).content.decode()
    assert page.index("Needs help") < page.index("Calm")
    assert 'class="wants-agent' in page
    result = unicorn_call(staff_client, "conversation-list", None, {"only": "agent"})
    assert "Needs help" in result.dom
    assert "Calm" not in result.dom


def test_pause_and_resume_the_bot(staff_client: Client) -> None:
    contact = _contact()
    result = unicorn_call(staff_client, "conversation", "pause", {"contact_id": contact.pk})
    contact.refresh_from_db()
    assert contact.bot_paused
    assert "Bot paused" in result.data["notice"]
    assert OrderEvent.objects.filter(kind="bot_paused", actor_user__username="staff").exists()
    unicorn_call(staff_client, "conversation", "resume", {"contact_id": contact.pk})
    contact.refresh_from_db()
    assert not contact.bot_paused


def test_reply_box_only_inside_the_window(staff_client: Client) -> None:
    contact = _contact(last_inbound_at=timezone.now() - timedelta(hours=23, minutes=30))
    page = staff_client.get(reverse("portal:conversation", args=[contact.pk])).content.decode()
    assert re.search(r"Reply window: (29|30) min left", page)
    assert 'id="conv-reply"' in page
    Contact.objects.filter(pk=contact.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    page = staff_client.get(reverse("portal:conversation", args=[contact.pk])).content.decode()
    assert 'data-testid="window-closed"' in page
    assert 'id="conv-reply"' not in page


def test_manual_reply(staff_client: Client) -> None:
    contact = _contact()
    unicorn_call(
        staff_client, "conversation", "reply('Hello from staff')", {"contact_id": contact.pk}
    )
    row = OutboundMessage.objects.get(contact=contact, kind="text")
    assert row.payload["text"]["body"] == "Hello from staff"
    assert OrderEvent.objects.filter(kind="staff_reply", actor_user__username="staff").exists()


def test_manual_reply_outside_the_window_is_refused_inline(staff_client: Client) -> None:
    contact = _contact(last_inbound_at=timezone.now() - timedelta(hours=25))
    result = unicorn_call(
        staff_client, "conversation", "reply('Too late')", {"contact_id": contact.pk}
    )
    assert "24-hour" in result.data["field_errors"]["reply"]
    assert not OutboundMessage.objects.filter(contact=contact, kind="text").exists()


def test_messages_version_tracks_new_messages(staff_client: Client) -> None:
    before = version_for("contacts")
    _say(staff_client, "hi")
    assert version_for("contacts") != before
    assert version_for(f"wa:{WA}") != "-"


def test_unknown_conversation_is_a_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("portal:conversation", args=[999])).status_code == 404


def test_simulator_continues_a_test_conversation(staff_client: Client) -> None:
    _say(staff_client, "hi")
    page = staff_client.get(reverse("portal:simulator") + f"?wa={WA}").content.decode()
    assert f'value="{WA}"' in page
    assert 'data-testid="sim-mine"' in page
    page = staff_client.get(reverse("portal:simulator") + "?wa=oops").content.decode()
    assert 'value="1555010' in page
