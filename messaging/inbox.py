"""The inbox's rules: assignment, open/resolved, per-staff read markers and unread counts,
internal notes, canned replies, and what staff send besides text (a file, a template when
the 24-hour window is closed). Every write is audited (raffles' audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.bot import message_templates as mt
from messaging.bot.flow.screens.common import b_menu
from messaging.channel import media as channel_media
from messaging.channel import outbox, templates
from messaging.exceptions import InvalidOutboundMessage, WindowClosed
from messaging.models import (
    CannedReply,
    Contact,
    ConversationNote,
    ConversationRead,
    InboundMessage,
    OutboundMessage,
)
from raffles.audit import EventKind
from raffles.services import log_event
from raffles.services.actors import ActorLike

MAX_NOTE = 4000
MAX_CAPTION = 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENT_TYPES = frozenset({"application/pdf"})
GENERIC = "generic"  # the key of the generic template (WHATSAPP_TEMPLATE_NAME)

FILTERS = ("mine", "unassigned", "all")
STATUSES = ("open", "resolved", "any")


def _user_id(by: ActorLike) -> int | None:
    pk = getattr(by, "pk", None)
    return pk if isinstance(pk, int) else None


# -- assignment and status ---------------------------------------------------------------


def assign(contact: Contact, user: Any | None, *, by: ActorLike = None) -> Contact:
    """Give the conversation to a staff member (None: nobody). Idempotent; audited."""
    user_id = getattr(user, "pk", None)
    if user is not None and not (user.is_active and user.is_staff):
        raise InvalidOutboundMessage(_("Only active staff can be assigned a conversation."))
    with transaction.atomic():
        changed = (
            Contact.objects.filter(pk=contact.pk)
            .exclude(assigned_to_id=user_id)
            .update(assigned_to_id=user_id, updated_at=timezone.now())
        )
        if changed:
            log_event(
                kind=EventKind.CONVERSATION_ASSIGNED,
                by=by,
                contact=contact.pk,
                assigned_to=user_id,
                assigned_name=user.get_username() if user is not None else "",
            )
    contact.assigned_to_id = user_id
    return contact


def set_resolved(contact: Contact, resolved: bool, *, by: ActorLike = None) -> Contact:
    """Mark the conversation resolved, or open it again. Idempotent; audited. A new message
    from the buyer opens it again by itself (the inbound store, channel/inbound.py)."""
    now = timezone.now()
    with transaction.atomic():
        rows = Contact.objects.filter(pk=contact.pk)
        rows = rows.filter(resolved_at__isnull=True) if resolved else rows.exclude(resolved_at=None)
        changed = rows.update(resolved_at=now if resolved else None, updated_at=now)
        if changed:
            log_event(
                kind=EventKind.CONVERSATION_RESOLVED
                if resolved
                else EventKind.CONVERSATION_REOPENED,
                by=by,
                contact=contact.pk,
            )
    contact.resolved_at = now if resolved else None
    return contact


# -- read markers and unread counts ------------------------------------------------------


def mark_seen(contact: Contact, user: Any) -> int:
    """Everything the buyer sent so far is read for `user`. Returns the marker."""
    if _user_id(user) is None:
        return 0
    last = (
        InboundMessage.objects.filter(contact_id=contact.pk)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    ) or 0
    marker, created = ConversationRead.objects.get_or_create(
        contact_id=contact.pk, user_id=user.pk, defaults={"seen_inbound_id": last}
    )
    if not created and marker.seen_inbound_id < last:
        ConversationRead.objects.filter(pk=marker.pk, seen_inbound_id__lt=last).update(
            seen_inbound_id=last, seen_at=timezone.now()
        )
    return last


def with_unread(contacts: QuerySet[Contact], user: Any) -> QuerySet[Contact]:
    """`contacts` annotated with `unread`: the buyer's messages `user` has not seen."""
    seen = ConversationRead.objects.filter(contact=OuterRef("pk"), user_id=_user_id(user) or 0)
    unread = (
        InboundMessage.objects.filter(contact=OuterRef("pk"), id__gt=OuterRef("seen_id"))
        .order_by()
        .values("contact")
        .annotate(c=Count("id"))
        .values("c")
    )
    return contacts.annotate(
        seen_id=Coalesce(Subquery(seen.values("seen_inbound_id")[:1]), Value(0)),
    ).annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def scoped(contacts: QuerySet[Contact], user: Any, show: str) -> QuerySet[Contact]:
    """Filter by assignment: "mine", "unassigned" or "all"."""
    if show == "mine":
        return contacts.filter(assigned_to_id=_user_id(user))
    if show == "unassigned":
        return contacts.filter(assigned_to__isnull=True)
    return contacts


def by_status(contacts: QuerySet[Contact], status: str) -> QuerySet[Contact]:
    if status == "open":
        return contacts.filter(resolved_at__isnull=True)
    if status == "resolved":
        return contacts.filter(resolved_at__isnull=False)
    return contacts


def unread_total(user: Any) -> int:
    """Unread messages in the conversations that concern `user`: assigned to them, or to
    nobody (what the nav badge and the page title count)."""
    mine = Contact.objects.filter(Q(assigned_to_id=_user_id(user)) | Q(assigned_to__isnull=True))
    total = with_unread(mine, user).aggregate(n=Sum("unread"))["n"]
    return int(total or 0)


# -- notes -------------------------------------------------------------------------------


def add_note(contact: Contact, text: str, *, by: ActorLike = None) -> ConversationNote:
    """An internal note in the conversation: staff see it, the buyer never does."""
    text = (text or "").strip()
    if not text:
        raise InvalidOutboundMessage(_("Type a note."))
    if len(text) > MAX_NOTE:
        raise InvalidOutboundMessage(
            _("A note can have at most %(n)s characters.") % {"n": MAX_NOTE}
        )
    with transaction.atomic():
        note = ConversationNote.objects.create(
            contact_id=contact.pk, author_id=_user_id(by), text=text
        )
        log_event(kind=EventKind.CONVERSATION_NOTE, by=by, contact=contact.pk, note=note.pk)
    return note


# -- canned replies ----------------------------------------------------------------------


def canned_replies(language: str) -> list[tuple[CannedReply, str]]:
    """The active canned replies with each one's text in the buyer's language."""
    found = []
    for reply in CannedReply.objects.filter(active=True):
        text = reply.text_for(language)
        if text:
            found.append((reply, text))
    return found


def save_canned_reply(reply: CannedReply, *, by: ActorLike = None) -> CannedReply:
    """Add or change a canned reply (owners, in the portal); audited."""
    with transaction.atomic():
        created = reply.pk is None
        reply.save()
        log_event(
            kind=EventKind.CANNED_REPLY_ADDED if created else EventKind.CANNED_REPLY_CHANGED,
            by=by,
            canned_reply=reply.pk,
            title=reply.title,
            active=reply.active,
        )
    return reply


# -- files -------------------------------------------------------------------------------


def send_staff_file(
    contact: Contact,
    content: bytes,
    *,
    filename: str = "",
    caption: str = "",
    by: ActorLike = None,
) -> OutboundMessage:
    """An image (JPEG, PNG, WebP) or a document (PDF) a staff member sends the buyer, through
    the outbox (uploaded to Meta when it is sent). The type is read from the bytes, never
    from the name; sizes follow WHATSAPP_MAX_IMAGE_BYTES / WHATSAPP_MAX_DOCUMENT_BYTES.
    Only inside the 24-hour window; audited."""
    mime_type = channel_media.sniff(content[:16])
    if mime_type not in IMAGE_TYPES | DOCUMENT_TYPES:
        raise InvalidOutboundMessage(_("Only JPEG, PNG, WebP images and PDFs."))
    is_image = mime_type in IMAGE_TYPES
    cap = settings.WHATSAPP_MAX_IMAGE_BYTES if is_image else settings.WHATSAPP_MAX_DOCUMENT_BYTES
    if len(content) > cap:
        raise InvalidOutboundMessage(
            _("The file is larger than %(mb)s MB.") % {"mb": round(cap / 1024 / 1024, 1)}
        )
    caption = (caption or "").strip()[:MAX_CAPTION]
    with transaction.atomic():
        contact = Contact.objects.get(pk=contact.pk)
        if not contact.window_open:
            raise WindowClosed(_("The 24-hour window is closed: send an approved template."))
        if is_image:
            row = outbox.queue_image(contact, content, mime_type, caption=caption)
        else:
            row = outbox.queue_document(
                contact, content, mime_type, filename=filename, caption=caption
            )
        OutboundMessage.objects.filter(pk=row.pk).update(sent_by_id=_user_id(by))
        _answered(contact)
        log_event(
            kind=EventKind.STAFF_FILE,
            by=by,
            contact=contact.pk,
            mime_type=mime_type,
            size=len(content),
        )
    row.sent_by_id = _user_id(by)
    return row


def _answered(contact: Contact) -> None:
    """A person answered: no longer waiting for one; a handover's quiet time starts again."""
    from messaging.services import quiet_until

    answered: dict[str, object] = {"wants_agent": False}
    if contact.bot_paused:
        answered["handover_until"] = quiet_until(timezone.now())
    Contact.objects.filter(pk=contact.pk).update(**answered)


# -- templates when the window is closed -------------------------------------------------


@dataclass(frozen=True)
class TemplateChoice:
    key: str  # GENERIC or a notification template's key
    name: str  # Meta's template name
    language: str  # Meta's code
    parameters: int  # how many values staff fill in
    body: str  # the template's text in the buyer's language


def _buyer_language(contact: Contact) -> str:
    from messaging.bot.flow import language

    return language.normalize(contact.language or "") or "en"


def template_choices(contact: Contact) -> list[TemplateChoice]:
    """What staff may send when the window is closed: the generic template (when
    configured; one value: the text) and each approved notification template in the buyer's
    language whose buttons are quick replies (a tap opens the bot's menu)."""
    found: list[TemplateChoice] = []
    generic = settings.WHATSAPP_TEMPLATE_NAME
    if generic:
        found.append(
            TemplateChoice(GENERIC, generic, settings.WHATSAPP_TEMPLATE_LANGUAGE, 1, "{{1}}")
        )
    lang = _buyer_language(contact)
    for definition in mt.DEFINITIONS:
        if any(isinstance(b, mt.UrlButton) for b in definition.buttons):
            continue
        rendered = mt.render(definition, lang)
        if not rendered.approved:
            continue
        found.append(
            TemplateChoice(
                definition.key,
                definition.name,
                rendered.meta_language,
                mt.parameter_count(definition),
                rendered.body,
            )
        )
    return found


def send_staff_template(
    contact: Contact, key: str, values: list[str], *, by: ActorLike = None
) -> OutboundMessage:
    """An approved template staff send (mostly when the 24-hour window is closed): `key` is
    one of `template_choices`, `values` its body parameters in order. Audited."""
    contact = Contact.objects.get(pk=contact.pk)
    choice = next((c for c in template_choices(contact) if c.key == key), None)
    if choice is None:
        raise InvalidOutboundMessage(_("Choose an approved template."))
    values = [v.strip() for v in values if v.strip()]
    if len(values) != choice.parameters:
        raise InvalidOutboundMessage(
            _("This template needs %(n)s values, one per line.") % {"n": choice.parameters}
        )
    with transaction.atomic():
        if choice.key == GENERIC:
            row = outbox.queue_template(contact, choice.name, choice.language, values)
        else:
            definition = next(d for d in mt.DEFINITIONS if d.key == choice.key)
            message = mt.message(
                definition,
                _buyer_language(contact),
                values,
                [b_menu().id for _b in definition.buttons],
            )
            if not templates.is_approved(message.name, message.language):  # pragma: no cover
                raise InvalidOutboundMessage(_("Choose an approved template."))
            row = outbox.queue_template_message(contact, message)
        OutboundMessage.objects.filter(pk=row.pk).update(sent_by_id=_user_id(by))
        _answered(contact)
        log_event(kind=EventKind.STAFF_TEMPLATE, by=by, contact=contact.pk, template=choice.name)
    row.sent_by_id = _user_id(by)
    return row
