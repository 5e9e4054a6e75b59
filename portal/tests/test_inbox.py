"""The inbox in the portal, per role: assign, resolve, notes, canned replies, templates,
files; unread counts in the list and the nav badge; staff and bot told apart; readable
state names."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from messaging import inbox, services
from messaging.models import CannedReply, Contact, ConversationNote, InboundMessage, OutboundMessage
from portal.tests.conftest import make_staff, unicorn_call

pytestmark = pytest.mark.django_db

O, R, S, V = "owner", "reviewer", "seller", "viewer"  # noqa: E741


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    return {role: make_staff(f"{role}-user", role) for role in (O, R, S, V)}


@pytest.fixture
def clients(people: dict[str, Any]) -> dict[str, Client]:
    found = {}
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        found[role] = client
    return found


@pytest.fixture
def contact(db: None) -> Contact:
    return Contact.objects.create(
        wa_id="5215511112222",
        profile_name="Ana",
        language="es",
        state="payment",
        last_inbound_at=timezone.now() - timedelta(minutes=5),
    )


def _inbound(contact: Contact, text: str = "hola") -> InboundMessage:
    n = InboundMessage.objects.count() + 1
    return InboundMessage.objects.create(
        wa_message_id=f"wamid.p{n}", contact=contact, type="text", text=text
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_reviewer_assigns_notes_and_resolves(
    clients: dict[str, Client], people: dict[str, Any], contact: Contact
) -> None:
    data = {"contact_id": contact.pk}
    result = unicorn_call(clients[R], "conversation", "assign_me", data)
    assert result.status_code == 200
    assert Contact.objects.get(pk=contact.pk).assigned_to == people[R]
    assert "reviewer-user" in result.dom
    result = unicorn_call(clients[R], "conversation", "note('Pays tomorrow')", data)
    assert ConversationNote.objects.get().text == "Pays tomorrow"
    assert 'data-testid="note"' in result.dom
    assert not OutboundMessage.objects.exists()  # never sent
    unicorn_call(clients[R], "conversation", "assign", data, sync={"assignee": str(people[O].pk)})
    assert Contact.objects.get(pk=contact.pk).assigned_to == people[O]
    unicorn_call(clients[R], "conversation", "resolve", data)
    assert Contact.objects.get(pk=contact.pk).resolved_at is not None
    result = unicorn_call(clients[R], "conversation", "reopen", data)
    assert Contact.objects.get(pk=contact.pk).resolved_at is None


@pytest.mark.parametrize("role", [S, V])
def test_others_cannot_change_the_inbox(
    role: str, clients: dict[str, Client], contact: Contact
) -> None:
    data = {"contact_id": contact.pk}
    for action in ("assign_me", "note('x')", "resolve", "send_template('a')"):
        assert unicorn_call(clients[role], "conversation", action, data).status_code == 403
    assert Contact.objects.get(pk=contact.pk).assigned_to is None
    assert not ConversationNote.objects.exists()


def test_a_viewer_sees_notes_but_no_inbox_buttons(
    clients: dict[str, Client], people: dict[str, Any], contact: Contact
) -> None:
    inbox.add_note(contact, "Internal only", by=people[O])
    dom = unicorn_call(clients[V], "conversation", "refresh", {"contact_id": contact.pk}).dom
    assert "Internal only" in dom
    for testid in ("assign-me", "resolve", "add-note", "file-form"):
        assert f'data-testid="{testid}"' not in dom, testid
    assert 'id="conv-note"' not in dom
    assert 'id="conv-assignee"' not in dom
    dom = unicorn_call(clients[R], "conversation", "refresh", {"contact_id": contact.pk}).dom
    for testid in ("assign-me", "resolve", "add-note", "file-form"):
        assert f'data-testid="{testid}"' in dom, testid


def test_staff_and_bot_messages_and_the_state_name(
    clients: dict[str, Client], people: dict[str, Any], contact: Contact
) -> None:
    from messaging.channel import outbox

    outbox.queue_text(contact, "Bot says hi")
    services.send_staff_reply(contact, "Person says hi", by=people[R])
    dom = unicorn_call(clients[O], "conversation", "refresh", {"contact_id": contact.pk}).dom
    assert 'data-sender="bot"' in dom
    assert 'data-sender="staff"' in dom
    assert "reviewer-user" in dom
    assert "Waiting for payment" in dom  # not "payment"


def test_unread_counts_in_the_list_and_the_badge(
    clients: dict[str, Client], people: dict[str, Any], contact: Contact
) -> None:
    _inbound(contact)
    _inbound(contact)
    listing = unicorn_call(clients[R], "conversation-list", "refresh").dom
    assert f'data-testid="unread-{contact.pk}"' in listing
    badge = unicorn_call(clients[R], "waiting-badge", "refresh_count").dom
    assert 'data-unread-total="2"' in badge
    # opening the conversation marks it read for this staff member only
    clients[R].get(reverse("portal:conversation", args=[contact.pk]))
    assert 'data-unread-total="0"' in unicorn_call(clients[R], "waiting-badge", "refresh_count").dom
    assert 'data-unread-total="2"' in unicorn_call(clients[O], "waiting-badge", "refresh_count").dom


def test_list_filters_mine_unassigned_resolved(
    clients: dict[str, Client], people: dict[str, Any], contact: Contact
) -> None:
    other = Contact.objects.create(wa_id="5215500000009", profile_name="Beto")
    inbox.assign(contact, people[R])
    mine = unicorn_call(clients[R], "conversation-list", "refresh", {"show": "mine"}).dom
    assert "Ana" in mine
    assert "Beto" not in mine
    free = unicorn_call(clients[R], "conversation-list", "refresh", {"show": "unassigned"}).dom
    assert "Beto" in free
    assert "Ana" not in free
    inbox.set_resolved(other, True)
    opened = unicorn_call(clients[R], "conversation-list", "refresh").dom
    assert "Beto" not in opened
    done = unicorn_call(clients[R], "conversation-list", "refresh", {"status": "resolved"}).dom
    assert "Beto" in done


def test_canned_replies_in_the_buyers_language(
    clients: dict[str, Client], contact: Contact
) -> None:
    CannedReply.objects.create(title="Bank", text_en="Our bank", text_es="Nuestro banco")
    dom = unicorn_call(clients[R], "conversation", "refresh", {"contact_id": contact.pk}).dom
    assert 'value="Nuestro banco"' in dom


@pytest.mark.parametrize("role", [O, R, S, V])
def test_canned_reply_pages_by_role(role: str, clients: dict[str, Client]) -> None:
    reply = CannedReply.objects.create(title="Bank", text_en="Our bank")
    listing = clients[role].get(reverse("portal:canned-replies")).status_code
    assert listing == (200 if role in (O, R) else 403)
    edit = clients[role].get(reverse("portal:canned-reply-edit", args=[reply.pk])).status_code
    assert edit == (200 if role == O else 403)
    posted = clients[role].post(
        reverse("portal:canned-reply-new"), {"title": "Hi", "text_es": "Hola", "active": "on"}
    )
    assert (CannedReply.objects.filter(title="Hi").exists()) == (role == O)
    assert posted.status_code == (302 if role == O else 403)


def test_a_canned_reply_needs_a_text(clients: dict[str, Client]) -> None:
    page = clients[O].post(reverse("portal:canned-reply-new"), {"title": "Empty"})
    assert page.status_code == 200
    assert not CannedReply.objects.exists()


@pytest.mark.parametrize("role", [O, R, S, V])
def test_sending_a_file_by_role(role: str, clients: dict[str, Client], contact: Contact) -> None:
    url = reverse("portal:conversation-file", args=[contact.pk])
    upload = io.BytesIO(_png())
    upload.name = "board.png"
    response = clients[role].post(url, {"file": upload, "caption": "Board"})
    sent = OutboundMessage.objects.filter(kind="image")
    if role in (O, R):
        assert response.status_code == 302
        assert sent.count() == 1
        assert sent.get().payload["image"]["caption"] == "Board"
    else:
        assert response.status_code == 403
        assert not sent.exists()


def test_a_refused_file_is_explained(clients: dict[str, Client], contact: Contact) -> None:
    url = reverse("portal:conversation-file", args=[contact.pk])
    upload = io.BytesIO(b"just text")
    upload.name = "notes.png"
    page = clients[R].post(url, {"file": upload}, follow=True)
    assert "Only JPEG, PNG, WebP images and PDFs." in page.content.decode()
    assert not OutboundMessage.objects.exists()


def test_the_window_closed_offers_only_templates(
    clients: dict[str, Client], contact: Contact, settings: Any
) -> None:
    settings.WHATSAPP_TEMPLATE_NAME = "generic_update"
    settings.WHATSAPP_APPROVED_TEMPLATES = "generic_update"
    Contact.objects.filter(pk=contact.pk).update(last_inbound_at=timezone.now() - timedelta(days=2))
    data = {"contact_id": contact.pk}
    dom = unicorn_call(clients[R], "conversation", "refresh", data).dom
    assert 'data-testid="window-closed"' in dom
    assert 'id="conv-reply"' not in dom
    assert 'data-testid="send-template"' in dom
    result = unicorn_call(clients[R], "conversation", "send_template('Your prize is ready')", data)
    assert result.status_code == 200
    row = OutboundMessage.objects.get()
    assert row.payload["template"]["name"] == "generic_update"
    assert row.sent_by is not None
