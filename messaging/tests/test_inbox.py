"""The inbox's rules (messaging.inbox): assignment, open/resolved (a new message opens it),
per-staff unread counts, internal notes, canned replies per language, staff files and
templates through the outbox and the fake Graph API."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image

from messaging import inbox, services
from messaging.exceptions import InvalidOutboundMessage, WindowClosed
from messaging.models import (
    CannedReply,
    Contact,
    ConversationNote,
    InboundMessage,
    OutboundMessage,
)
from messaging.tests.conftest import PHONE_NUMBER_ID
from raffles.models import OrderEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def staff() -> Any:
    return get_user_model().objects.create_user("ines", is_staff=True, first_name="Inés")


@pytest.fixture
def other() -> Any:
    return get_user_model().objects.create_user("otto", is_staff=True)


@pytest.fixture
def open_contact(contact: Contact) -> Contact:
    contact.last_inbound_at = timezone.now() - timedelta(hours=1)
    contact.save()
    return contact


def _inbound(contact: Contact, text: str = "hola") -> InboundMessage:
    n = InboundMessage.objects.count() + 1
    return InboundMessage.objects.create(
        wa_message_id=f"wamid.inbox{n}", contact=contact, type="text", text=text
    )


def test_assign_to_me_to_someone_and_to_nobody(contact: Contact, staff: Any, other: Any) -> None:
    inbox.assign(contact, staff, by=staff)
    assert Contact.objects.get(pk=contact.pk).assigned_to == staff
    inbox.assign(contact, staff, by=staff)  # idempotent: one audit row
    inbox.assign(contact, other, by=staff)
    inbox.assign(contact, None, by=staff)
    assert Contact.objects.get(pk=contact.pk).assigned_to is None
    kinds = list(OrderEvent.objects.values_list("kind", flat=True))
    assert kinds.count("conversation_assigned") == 3


def test_only_active_staff_can_be_assigned(contact: Contact) -> None:
    buyer = get_user_model().objects.create_user("buyer")
    with pytest.raises(InvalidOutboundMessage):
        inbox.assign(contact, buyer)


def test_resolved_opens_again_when_the_buyer_writes(
    contact: Contact, staff: Any, post_webhook: Any
) -> None:
    inbox.set_resolved(contact, True, by=staff)
    assert Contact.objects.get(pk=contact.pk).resolved_at is not None
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"wa_id": contact.wa_id, "profile": {"name": "Ana"}}],
                            "messages": [
                                {
                                    "from": contact.wa_id,
                                    "id": "wamid.reopen1",
                                    "timestamp": str(int(timezone.now().timestamp())),
                                    "type": "text",
                                    "text": {"body": "one more question"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    assert post_webhook(body).status_code == 200
    assert Contact.objects.get(pk=contact.pk).resolved_at is None
    inbox.set_resolved(contact, False, by=staff)  # already open: nothing audited
    kinds = list(OrderEvent.objects.values_list("kind", flat=True))
    assert kinds.count("conversation_resolved") == 1
    assert "conversation_reopened" not in kinds


def test_unread_counts_are_per_staff_member(contact: Contact, staff: Any, other: Any) -> None:
    _inbound(contact)
    _inbound(contact)
    assert inbox.with_unread(Contact.objects.all(), staff).get().unread == 2
    inbox.mark_seen(contact, staff)
    assert inbox.with_unread(Contact.objects.all(), staff).get().unread == 0
    assert inbox.with_unread(Contact.objects.all(), other).get().unread == 2
    _inbound(contact)
    assert inbox.with_unread(Contact.objects.all(), staff).get().unread == 1
    assert inbox.unread_total(staff) == 1  # unassigned: it concerns everyone
    inbox.assign(contact, other)
    assert inbox.unread_total(staff) == 0  # someone else's now
    assert inbox.unread_total(other) == 3


def test_filters_mine_unassigned_and_status(contact: Contact, staff: Any) -> None:
    second = Contact.objects.create(wa_id="5215500000002")
    inbox.assign(contact, staff)
    inbox.set_resolved(second, True)
    everyone = Contact.objects.all()
    assert list(inbox.scoped(everyone, staff, "mine")) == [contact]
    assert list(inbox.scoped(everyone, staff, "unassigned")) == [second]
    assert set(inbox.scoped(everyone, staff, "all")) == {contact, second}
    assert list(inbox.by_status(everyone, "open")) == [contact]
    assert list(inbox.by_status(everyone, "resolved")) == [second]


def test_notes_are_kept_and_never_sent(contact: Contact, staff: Any) -> None:
    note = inbox.add_note(contact, "  Called her, pays tomorrow  ", by=staff)
    assert ConversationNote.objects.get().text == "Called her, pays tomorrow"
    assert note.author == staff
    assert not OutboundMessage.objects.exists()
    with pytest.raises(InvalidOutboundMessage):
        inbox.add_note(contact, "   ")


def test_canned_replies_pick_the_buyers_language(contact: Contact, staff: Any) -> None:
    reply = inbox.save_canned_reply(
        CannedReply(title="Bank", text_en="Our bank: X", text_es="Nuestro banco: X"), by=staff
    )
    inbox.save_canned_reply(CannedReply(title="Old", text_en="gone", active=False))
    assert inbox.canned_replies("es") == [(reply, "Nuestro banco: X")]
    assert inbox.canned_replies("pt-br") == [(reply, "Our bank: X")]  # no Portuguese: English
    assert "canned_reply_added" in OrderEvent.objects.values_list("kind", flat=True)


def test_a_staff_reply_says_who_wrote_it(open_contact: Contact, staff: Any) -> None:
    [row] = services.send_staff_reply(open_contact, "Hi, Inés here", by=staff)
    row.refresh_from_db()
    assert row.sent_by == staff


def test_an_image_from_staff_is_uploaded_then_sent(
    fake_graph: Any, open_contact: Contact, staff: Any, run_after_commit: Any
) -> None:
    content = png()
    row = run_after_commit(
        inbox.send_staff_file, open_contact, content, filename="b.png", caption="Board", by=staff
    )
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT
    assert row.sent_by == staff
    [upload] = fake_graph.uploads()
    assert upload.path == f"/v21.0/{PHONE_NUMBER_ID}/media"
    [sent] = fake_graph.sent_payloads()
    assert sent["type"] == "image"
    assert sent["image"]["caption"] == "Board"
    assert fake_graph.media_content(sent["image"]["id"]) == content


def test_a_pdf_from_staff_goes_as_a_document(
    fake_graph: Any, open_contact: Contact, staff: Any, run_after_commit: Any
) -> None:
    content = b"%PDF-1.4\n% rules\n"
    row = run_after_commit(
        inbox.send_staff_file, open_contact, content, filename="rules.pdf", by=staff
    )
    row.refresh_from_db()
    assert row.kind == OutboundMessage.Kind.DOCUMENT
    assert row.status == OutboundMessage.Status.SENT
    [sent] = fake_graph.sent_payloads()
    assert sent["type"] == "document"
    assert sent["document"]["filename"] == "rules.pdf"
    assert fake_graph.media_content(sent["document"]["id"]) == content


def test_files_are_checked_by_content_size_and_window(
    open_contact: Contact, contact: Contact, settings: Any
) -> None:
    with pytest.raises(InvalidOutboundMessage):
        inbox.send_staff_file(open_contact, b"MZ\x90\x00 not a picture", filename="x.png")
    settings.WHATSAPP_MAX_IMAGE_BYTES = 10
    with pytest.raises(InvalidOutboundMessage):
        inbox.send_staff_file(open_contact, png())
    settings.WHATSAPP_MAX_IMAGE_BYTES = 5 * 1024 * 1024
    Contact.objects.filter(pk=contact.pk).update(last_inbound_at=timezone.now() - timedelta(days=2))
    with pytest.raises(WindowClosed):
        inbox.send_staff_file(contact, png())
    assert not OutboundMessage.objects.exists()


def test_templates_offered_when_the_window_is_closed(
    contact: Contact, staff: Any, settings: Any
) -> None:
    settings.WHATSAPP_TEMPLATE_NAME = ""
    settings.WHATSAPP_APPROVED_TEMPLATES = ""
    assert inbox.template_choices(contact) == []
    settings.WHATSAPP_TEMPLATE_NAME = "generic_update"
    settings.WHATSAPP_APPROVED_TEMPLATES = (
        "raffle_hold_reminder:es raffle_receipt raffle_draw_result"
    )
    Contact.objects.filter(pk=contact.pk).update(language="es")
    contact.refresh_from_db()
    keys = [c.key for c in inbox.template_choices(contact)]
    # The receipt (its e-ticket) and the draw result have a URL button: not offered.
    assert keys == ["generic", "hold_reminder"]
    with pytest.raises(InvalidOutboundMessage):
        inbox.send_staff_template(contact, "hold_reminder", ["only one value"])
    row = inbox.send_staff_template(
        contact, "hold_reminder", ["K7P2QX", "07", "18:30", "20"], by=staff
    )
    assert row.payload["template"]["name"] == "raffle_hold_reminder"
    assert row.payload["template"]["language"]["code"] == "es"
    generic = inbox.send_staff_template(contact, "generic", ["Your prize is ready"], by=staff)
    assert generic.payload["template"]["name"] == "generic_update"
    assert OutboundMessage.objects.filter(sent_by=staff).count() == 2
    with pytest.raises(InvalidOutboundMessage):  # approved, but not offered (a URL button)
        inbox.send_staff_template(contact, "receipt", ["a", "b", "c", "d"])
