"""Reads of the WhatsApp channel for the portal: conversation lists, chat histories (inbound
and outbound messages with delivery status) and change fingerprints. Reads only: every write
to messaging goes through messaging's own service functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from messaging.bot.flow import states
from messaging.models import Contact, ConversationNote, InboundMessage, OutboundMessage
from raffles.models import Order

CHAT_LIMIT = 200
# An order's timeline shows the buyer's messages from a little before it was placed until a
# while after it was settled.
ORDER_LEAD = timedelta(minutes=30)
ORDER_TAIL = timedelta(hours=6)

STATUS_LABELS = {
    "queued": "queued",
    "sending": "sending",
    "sent": "✓ sent",
    "delivered": "✓✓ delivered",
    "read": "✓✓ read",
    "failed": "failed",
    "undeliverable": "not delivered",
}


# The bot's states (messaging.bot.flow.states) as staff read them.
STATE_LABELS: dict[str, str | Promise] = {
    states.START: gettext_lazy("At the main menu"),
    states.BROWSING: gettext_lazy("Looking at raffles"),
    states.RAFFLE: gettext_lazy("Choosing numbers"),
    states.CONFIRM: gettext_lazy("Confirming numbers"),
    states.PAYMENT: gettext_lazy("Waiting for payment"),
    states.REVIEW: gettext_lazy("Payment under review"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@dataclass
class ChatMessage:
    at: datetime
    direction: str  # "in" or "out"
    kind: str
    text: str
    status: str = ""
    status_label: str = ""
    error: str = ""
    choices: list[dict[str, str]] = field(default_factory=list)
    choices_label: str = ""  # the list button ("Choose a number")
    header: str = ""
    footer: str = ""
    media_url: str = ""
    pk: int = 0
    type: str = "message"  # or "note" (internal, never sent)
    by_staff: bool = False
    sender: str = ""  # the staff member who wrote it (outbound by staff, notes)

    def __getitem__(self, key: str) -> Any:  # the order timeline sorts dicts and these alike
        return getattr(self, key)


def outbound_message(row: OutboundMessage) -> ChatMessage:
    return _outbound(row)


def _outbound(row: OutboundMessage) -> ChatMessage:
    payload = row.payload if isinstance(row.payload, dict) else {}
    kind = payload.get("type")
    part = payload.get(kind, {}) if isinstance(kind, str) else {}
    part = part if isinstance(part, dict) else {}
    msg = ChatMessage(
        at=row.created_at,
        direction="out",
        kind=row.kind,
        text="",
        status=row.status,
        status_label=STATUS_LABELS.get(row.status, row.status),
        error=row.last_error,
        pk=row.pk,
    )
    if row.sent_by_id is not None:
        msg.by_staff = True
        user = row.sent_by
        msg.sender = (user.get_full_name() or user.get_username()) if user else ""
    if kind == "text":
        msg.text = str(part.get("body", ""))
    elif kind == "interactive":
        body = part.get("body")
        msg.text = str(body.get("text", "")) if isinstance(body, dict) else ""
        header = part.get("header")
        if isinstance(header, dict):
            msg.header = str(header.get("text", ""))
        footer = part.get("footer")
        if isinstance(footer, dict):
            msg.footer = str(footer.get("text", ""))
        raw_action = part.get("action")
        action = raw_action if isinstance(raw_action, dict) else {}
        if part.get("type") == "button":
            for button in action.get("buttons", []) or []:
                reply = button.get("reply", {}) if isinstance(button, dict) else {}
                msg.choices.append(
                    {"id": str(reply.get("id", "")), "title": str(reply.get("title", ""))}
                )
        elif part.get("type") == "list":
            msg.choices_label = str(action.get("button", ""))
            for section in action.get("sections", []) or []:
                for row_ in (section or {}).get("rows", []) or []:
                    msg.choices.append(
                        {
                            "id": str(row_.get("id", "")),
                            "title": str(row_.get("title", "")),
                            "description": str(row_.get("description", "")),
                            "section": str((section or {}).get("title", "")),
                        }
                    )
    elif kind == "template":
        params = []
        for component in part.get("components", []) or []:
            for parameter in (component or {}).get("parameters", []) or []:
                if isinstance(parameter, dict) and parameter.get("text"):
                    params.append(str(parameter["text"]))
        msg.text = "\n".join(params) or f"[template {part.get('name', '')}]"
    else:
        name = str(part.get("filename", "")) if kind == "document" else ""
        msg.text = str(part.get("caption", "")) or (f"[{kind or row.kind}] {name}").strip()
        msg.media_url = str(part.get("link", ""))
    return msg


def _note(note: ConversationNote) -> ChatMessage:
    user = note.author
    return ChatMessage(
        at=note.created_at,
        direction="note",
        kind="note",
        text=note.text,
        pk=note.pk,
        type="note",
        by_staff=True,
        sender=(user.get_full_name() or user.get_username()) if user else "",
    )


def _inbound(row: InboundMessage) -> ChatMessage:
    text = row.text or row.reply_title
    if not text and row.type in {"image", "document", "sticker", "audio", "video"}:
        text = f"[{row.type}]"
    return ChatMessage(
        at=row.timestamp or row.received_at,
        direction="in",
        kind=row.type,
        text=text or f"[{row.type}]",
        status=row.status,
        status_label=row.get_status_display(),
        error=row.error or row.media_error,
        pk=row.pk,
    )


def _history(
    contact_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[ChatMessage]:
    inbound = InboundMessage.objects.filter(contact_id=contact_id)
    outbound = (
        OutboundMessage.objects.filter(contact_id=contact_id)
        .exclude(kind=OutboundMessage.Kind.READ)
        .select_related("sent_by")
    )
    if since is not None:
        inbound = inbound.filter(received_at__gte=since)
        outbound = outbound.filter(created_at__gte=since)
    if until is not None:
        inbound = inbound.filter(received_at__lte=until)
        outbound = outbound.filter(created_at__lte=until)
    items = [_inbound(m) for m in inbound.order_by("-id")[:CHAT_LIMIT]]
    items += [_outbound(m) for m in outbound.order_by("-id")[:CHAT_LIMIT]]
    items.sort(key=lambda m: (m.at, 0 if m.direction == "in" else 1, m.pk))
    return items[-CHAT_LIMIT:]


def contact_messages(contact: Contact, *, notes: bool = False) -> list[ChatMessage]:
    """The conversation; with `notes`, staff's internal notes in their place in time."""
    items = _history(contact.pk)
    if notes:
        rows = ConversationNote.objects.filter(contact_id=contact.pk).select_related("author")
        items += [_note(n) for n in rows.order_by("-id")[:CHAT_LIMIT]]
        items.sort(key=lambda m: (m.at, 0 if m.direction == "in" else 1, m.pk))
    return items


def outbound_after(contact: Contact, after_id: int) -> list[ChatMessage]:
    rows = (
        OutboundMessage.objects.filter(contact=contact, id__gt=after_id)
        .exclude(kind=OutboundMessage.Kind.READ)
        .select_related("sent_by")
        .order_by("id")
    )
    return [_outbound(r) for r in rows[:CHAT_LIMIT]]


def contact_for_buyer(buyer_id: int) -> Contact | None:
    return Contact.objects.filter(buyer_id=buyer_id).first()


def contact_by_wa_id(wa_id: str) -> Contact | None:
    return Contact.objects.filter(wa_id=wa_id).first()


def order_messages(order: Order) -> list[ChatMessage]:
    contact = contact_for_buyer(order.buyer_id)
    if contact is None:
        return []
    end = order.paid_at or order.closed_at
    until = end + ORDER_TAIL if end else None
    return _history(contact.pk, since=order.created_at - ORDER_LEAD, until=until)


def conversation_list(q: str = "", only: str = "") -> QuerySet[Contact]:
    """Contacts, those who asked for a person first, then the most recently active, each with
    its last inbound message text."""
    last_in = InboundMessage.objects.filter(contact=OuterRef("pk")).order_by("-id")
    last_out = OutboundMessage.objects.filter(contact=OuterRef("pk")).exclude(
        kind=OutboundMessage.Kind.READ
    )
    contacts = Contact.objects.select_related("buyer", "assigned_to").annotate(
        last_in_text=Subquery(last_in.values("text")[:1]),
        last_in_type=Subquery(last_in.values("type")[:1]),
        last_in_reply=Subquery(last_in.values("reply_title")[:1]),
        last_out_at=Subquery(last_out.order_by("-id").values("created_at")[:1]),
    )
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        match = (
            Q(profile_name__icontains=q)
            | Q(buyer__name__icontains=q)
            | Q(username__icontains=q.removeprefix("@"))
            | Q(user_id=q)
        )
        if digits:
            match |= Q(wa_id__contains=digits)
        contacts = contacts.filter(match)
    if only == "agent":
        contacts = contacts.filter(wants_agent=True)
    elif only == "paused":
        contacts = contacts.filter(bot_paused=True)
    return contacts.order_by("-wants_agent", "-last_inbound_at", "-id")


def messages_version(
    contact_id: int | None = None, buyer_id: int | None = None, wa_id: str | None = None
) -> str:
    """Changes when a message arrives or is queued, or a delivery status changes."""
    if buyer_id is not None or wa_id is not None:
        lookup = {"buyer_id": buyer_id} if buyer_id is not None else {"wa_id": wa_id}
        contact = Contact.objects.filter(**lookup).values_list("pk", flat=True).first()
        if contact is None:
            return "-"
        contact_id = contact
    inbound = InboundMessage.objects.all()
    outbound = OutboundMessage.objects.all()
    contacts = Contact.objects.all()
    if contact_id is not None:
        inbound = inbound.filter(contact_id=contact_id)
        outbound = outbound.filter(contact_id=contact_id)
        contacts = contacts.filter(pk=contact_id)
    last_in = inbound.aggregate(m=Max("id"), s=Max("processed_at"))
    out = outbound.aggregate(
        m=Max("id"),
        sent=Count("id", filter=Q(status=OutboundMessage.Status.SENT)),
        delivered=Count("id", filter=Q(status=OutboundMessage.Status.DELIVERED)),
        read=Count("id", filter=Q(status=OutboundMessage.Status.READ)),
        failed=Count("id", filter=Q(status__in=["failed", "undeliverable"])),
    )
    changed = contacts.aggregate(u=Max("updated_at"))["u"]
    notes = ConversationNote.objects.all()
    if contact_id is not None:
        notes = notes.filter(contact_id=contact_id)
    last_note = notes.aggregate(m=Max("id"))["m"]
    return ".".join(
        str(v)
        for v in (
            last_in["m"],
            last_in["s"] and last_in["s"].timestamp(),
            out["m"],
            out["sent"],
            out["delivered"],
            out["read"],
            out["failed"],
            changed and changed.timestamp(),
            last_note,
        )
    )


def window_left(contact: Contact) -> timedelta | None:
    closes = contact.window_closes_at
    if closes is None:
        return None
    left = closes - timezone.now()
    return left if left.total_seconds() > 0 else None
