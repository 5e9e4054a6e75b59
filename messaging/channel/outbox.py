"""The outbox: the only way the bot and notifications send WhatsApp messages.

Each `queue_*` writes OutboundMessage rows in the caller's transaction (so a reply exists if
and only if the change that caused it committed) and enqueues the send task after commit.
The payload stored is the exact Graph API body, limits already applied (see payloads.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from messaging.channel import jobs, outbound_media, payloads, statements, templates
from messaging.channel.logutils import mask_phone
from messaging.channel.templates import TemplateMessage
from messaging.models import Contact, InboundMessage, OutboundMedia, OutboundMessage

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
NO_TEMPLATE_ERROR = (
    "Outside the 24-hour customer-service window and no template is configured "
    "(WHATSAPP_TEMPLATE_NAME): not sent"
)


def _queue(
    contact: Contact,
    kind: str,
    payload: dict[str, Any],
    *,
    status: str = OutboundMessage.Status.QUEUED,
    last_error: str = "",
    notification: bool = False,
    template_fallback: dict[str, Any] | None = None,
    media: OutboundMedia | None = None,
    render: dict[str, Any] | None = None,
) -> OutboundMessage:
    row = OutboundMessage(
        media=media,
        render=render,
        contact=contact,
        to=contact.send_to,
        kind=kind,
        payload=payload,
        status=status,
        last_error=last_error,
        notification=notification,
        template_fallback=template_fallback,
    )
    statements.insert_outbound(row)
    if status == OutboundMessage.Status.QUEUED:
        jobs.enqueue_after_commit(jobs.SEND_CONTACT_OUTBOX, contact.pk)
    logger.info(
        "whatsapp %s %s to %s (outbox %s)", kind, status, mask_phone(contact.send_to), row.pk
    )
    return row


def queue_text(
    contact: Contact, text: str, *, preview_url: bool = False, notification: bool = False
) -> list[OutboundMessage]:
    """Texts over 4096 characters become several messages, sent in order. A `notification`
    falls back to the template if the window closes before it is sent (retry_policy)."""
    bodies = payloads.text(contact.send_to, text, preview_url=preview_url)
    with transaction.atomic():
        return [_queue(contact, Kind.TEXT, body, notification=notification) for body in bodies]


def queue_buttons(
    contact: Contact,
    body: str,
    buttons: Sequence[tuple[str, str]],
    header: str | None = None,
    footer: str | None = None,
    *,
    notification: bool = False,
    template_fallback: dict[str, Any] | None = None,
) -> OutboundMessage:
    """Up to three reply buttons, each `(id, title)`; titles are cut to 20 characters."""
    payload = payloads.buttons(contact.send_to, body, buttons, header=header, footer=footer)
    return _queue(
        contact,
        Kind.BUTTONS,
        payload,
        notification=notification,
        template_fallback=template_fallback,
    )


def queue_link(
    contact: Contact, body: str, display_text: str, url: str, *, footer: str | None = None
) -> OutboundMessage:
    """A call-to-action button that opens `url` (a payment link)."""
    payload = payloads.cta_url(contact.send_to, body, display_text, url, footer=footer)
    return _queue(contact, Kind.LINK, payload)


def queue_list(
    contact: Contact,
    body: str,
    button_label: str,
    rows: Sequence[payloads.Row] = (),
    *,
    sections: Sequence[payloads.Section] = (),
    header: str | None = None,
    footer: str | None = None,
) -> OutboundMessage:
    """A list of up to ten rows `(id, title, description)`: pass `rows` for a single untitled
    section, or `sections=[(title, rows), ...]`."""
    all_sections: Sequence[payloads.Section] = sections or [("", rows)]
    payload = payloads.list_message(
        contact.send_to, body, button_label, all_sections, header=header, footer=footer
    )
    return _queue(contact, Kind.LIST, payload)


def queue_image(
    contact: Contact, content: bytes, mime_type: str = "image/png", *, caption: str = ""
) -> OutboundMessage:
    """A picture (a rendered board or ticket, a prize photo). The bytes are stored with the
    row and uploaded to Meta when it is sent, once (outbound_media.ensure_uploaded)."""
    with transaction.atomic():
        media = outbound_media.store(content, mime_type)
        payload = payloads.media_to_upload(contact.send_to, "image", caption=caption)
        return _queue(contact, Kind.IMAGE, payload, media=media)


def queue_rendered_image(
    contact: Contact, render: dict[str, Any], *, caption: str = ""
) -> OutboundMessage:
    """A picture drawn when the row is sent (`render`: a registered renderer's name under
    "picture" and its arguments, see outbound_media.register), so queueing it costs one
    INSERT and the drawing happens in the send task, not in the change that caused it."""
    payload = payloads.media_to_upload(contact.send_to, "image", caption=caption)
    return _queue(contact, Kind.IMAGE, payload, render=render)


def queue_document(
    contact: Contact,
    content: bytes,
    mime_type: str = "application/pdf",
    *,
    filename: str = "",
    caption: str = "",
) -> OutboundMessage:
    """A document (a PDF), stored and uploaded like `queue_image`; the buyer sees `filename`."""
    with transaction.atomic():
        media = outbound_media.store(content, mime_type, filename=filename)
        payload = payloads.media_to_upload(
            contact.send_to, "document", caption=caption, filename=filename or media.filename
        )
        return _queue(contact, Kind.DOCUMENT, payload, media=media)


def queue_template_message(contact: Contact, message: TemplateMessage) -> OutboundMessage:
    """One template message (name, language, parameters and buttons) as it is."""
    return _queue(contact, Kind.TEMPLATE, message.payload(contact.send_to))


def queue_template(
    contact: Contact, name: str, language: str | None = None, params: Sequence[str] = ()
) -> OutboundMessage:
    language = language or settings.WHATSAPP_TEMPLATE_LANGUAGE
    return _queue(
        contact, Kind.TEMPLATE, payloads.template(contact.send_to, name, language, params)
    )


def queue_read(message: InboundMessage, *, typing: bool = True) -> OutboundMessage:
    """Blue ticks on the buyer's message, and a typing indicator while the bot answers."""
    return _queue(
        message.contact, Kind.READ, payloads.mark_read(message.wa_message_id, typing=typing)
    )


def queue_notification(
    contact: Contact,
    text: str,
    *,
    buttons: Sequence[tuple[str, str]] = (),
    template: TemplateMessage | None = None,
) -> list[OutboundMessage]:
    """A message the buyer did not just ask for (payment confirmed, hold expiring...).

    Inside the 24-hour window: the text, with its reply buttons `(id, title)` when given (a
    text too long for a buttons message goes first as plain text). Outside: the
    notification's own `template` when the operator has it approved
    (`templates.is_approved`); without one, the generic WHATSAPP_TEMPLATE_NAME with the text as
    its one body parameter. Otherwise the row is recorded as undeliverable with the reason,
    so staff see the message that could not go out.
    """
    fallback = template.payload(contact.send_to) if template is not None else None
    if contact.window_open:
        return _queue_in_window(contact, text, buttons, fallback)
    if template is not None:
        if templates.is_approved(template.name, template.language):
            return [_queue(contact, Kind.TEMPLATE, fallback or {})]
        return _undeliverable(
            contact,
            text,
            templates.not_approved_reason(template.name, template.language),
            fallback,
        )
    template_name = settings.WHATSAPP_TEMPLATE_NAME
    if template_name:
        return [queue_template(contact, template_name, params=[text])]
    return _undeliverable(contact, text, NO_TEMPLATE_ERROR)


def _queue_in_window(
    contact: Contact,
    text: str,
    buttons: Sequence[tuple[str, str]],
    fallback: dict[str, Any] | None,
) -> list[OutboundMessage]:
    """The first row carries the template fallback; rows after it fall back to the generic
    template only when the notification has no template of its own (else it would be
    sent twice)."""
    with transaction.atomic():
        if not buttons:
            bodies = payloads.text(contact.send_to, text)
            return [
                _queue(
                    contact,
                    Kind.TEXT,
                    body,
                    notification=i == 0 or fallback is None,
                    template_fallback=fallback if i == 0 else None,
                )
                for i, body in enumerate(bodies)
            ]
        if payloads.units(text.strip()) <= payloads.INTERACTIVE_BODY_MAX:
            return [
                queue_buttons(contact, text, buttons, notification=True, template_fallback=fallback)
            ]
        rows = _queue_in_window(contact, text, (), fallback)
        rows.append(
            queue_buttons(
                contact,
                _("What would you like to do?"),
                buttons,
                notification=fallback is None,
            )
        )
        return rows


def _undeliverable(
    contact: Contact, text: str, reason: str, fallback: dict[str, Any] | None = None
) -> list[OutboundMessage]:
    """Recorded with the text staff read and, when the notification has one, its template:
    re-sent by staff once the template is approved, it goes out as the template."""
    logger.warning(
        "whatsapp notification to %s undeliverable: %s", mask_phone(contact.send_to), reason
    )
    return [
        _queue(
            contact,
            Kind.TEXT,
            body,
            status=OutboundMessage.Status.UNDELIVERABLE,
            last_error=reason,
            notification=i == 0 and fallback is not None,
            template_fallback=fallback if i == 0 else None,
        )
        for i, body in enumerate(payloads.text(contact.send_to, text))
    ]
