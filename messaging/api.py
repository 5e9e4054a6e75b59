"""/api/contacts/: WhatsApp contacts, their conversation, their orders, and pausing the bot.
/api/outbox/: outbound messages that are failing or did not go out, and re-sending them.
/api/inbound-messages/failed/: inbound messages parked as failed, and retrying one.

config/api.py mounts `router`. Thin: reads here, writes through messaging.services.
"""

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from messaging import selectors, services
from messaging.channel import resend
from messaging.exceptions import MessageNotFailed, NotResendable
from messaging.models import Contact, InboundMessage, OutboundMessage
from raffles.api.common import DateTime, Pagination, actor, id_path, read, text, write
from raffles.api.schemas import BuyerOut, OrderOut
from raffles.models import Order

router = Router(tags=["contacts"])

ContactId = id_path("Contact id.")
OutboundId = id_path("Outbound message id.")
InboundId = id_path("Inbound message id.")


# --- Schemas ----------------------------------------------------------------------------
class ContactOut(Schema):
    id: int
    wa_id: str = Field(
        description="WhatsApp id (the phone number, digits only); empty for a user known only "
        "by their business-scoped user id."
    )
    user_id: str = Field(description="Business-scoped user id (BSUID) Meta gave this user.")
    username: str = Field(description="WhatsApp username, for display only.")
    profile_name: str
    buyer_id: int | None = Field(
        description="Use it with GET /api/orders/?buyer= (or use the contact's id: ?contact=)."
    )
    buyer: BuyerOut | None
    state: str = Field(description="Where the conversation with the bot stands.")
    language: str
    bot_paused: bool = Field(description="true: the bot stays silent, a person answers.")
    wants_agent: bool = Field(description="The contact asked to talk to a person.")
    last_inbound_at: datetime | None
    window_open: bool = Field(description="Within 24 h of their last message.")
    window_closes_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactFilters(Schema):
    bot_paused: bool | None = None
    wants_agent: bool | None = None
    # text() builds an Annotated type at run time (for pydantic), which mypy cannot evaluate.
    q: text(max_length=100) | None = Field(  # type: ignore[valid-type]
        None, description="Part of the name or number."
    )


class MessageOut(Schema):
    id: int = Field(description="Id among the messages of its direction.")
    direction: Literal["in", "out"]
    at: datetime = Field(description="Sent by the contact (in) or queued by us (out).")
    type: str = Field(description="text, image, document, interactive, buttons, template…")
    text: str = Field(description="Text, caption or a short description of the message.")
    status: str
    wa_message_id: str
    error: str


class MessagePage(Schema):
    items: list[MessageOut]
    count: int
    page: int
    page_size: int


class MessageFilters(Schema):
    ordering: Literal["at", "-at"] = Field("-at", description="-at: newest first.")


class OutboxRowOut(Schema):
    id: int
    contact_id: int
    to: str
    kind: str = Field(description="text, buttons, list, template, image, document, read.")
    text: str = Field(description="Text, caption or a short description of the message.")
    status: str = Field(
        description="queued/sending (still retrying), failed, undeliverable, dropped…"
    )
    attempts: int
    last_error: str = Field(description="Why it failed or is being retried.")
    error_code: int | None = Field(description="Meta's error code, if Meta gave one.")
    next_attempt_at: datetime | None = Field(description="When a retrying row goes next.")
    created_at: datetime
    failed_at: datetime | None
    resent_at: datetime | None = Field(description="When staff last re-sent it.")

    @staticmethod
    def resolve_text(row: OutboundMessage) -> str:
        return _outbound_text(row.payload if isinstance(row.payload, dict) else {})

    @staticmethod
    def resolve_next_attempt_at(row: OutboundMessage) -> datetime | None:
        return row.next_attempt_at if row.is_pending else None


class OutboxFilters(Schema):
    status: Literal["failing", "failed", "undeliverable", "dropped"] | None = Field(
        None, description="failing: still being retried after an error. Default: all."
    )
    since: DateTime | None = Field(None, description="Queued at or after this time.")
    until: DateTime | None = Field(None, description="Queued before this time.")


class ParkedMessageOut(Schema):
    id: int
    contact_id: int
    wa_id: str = Field(description="The sender's WhatsApp id.")
    wa_message_id: str
    type: str
    text: str = Field(description="Text, caption or the tapped button's title.")
    at: datetime = Field(description="Sent by the contact (Meta's time, else when received).")
    status: str = Field(description="failed (parked), received (queued again) or processed.")
    attempts: int = Field(description="Handling attempts that failed.")
    error: str = Field(description="Why handling failed.")
    processed_at: datetime | None = Field(description="When it was parked.")

    @staticmethod
    def resolve_wa_id(message: InboundMessage) -> str:
        return message.contact.send_to

    @staticmethod
    def resolve_text(message: InboundMessage) -> str:
        return message.text or message.reply_title

    @staticmethod
    def resolve_at(message: InboundMessage) -> datetime:
        return message.timestamp or message.received_at


# --- Helpers ----------------------------------------------------------------------------
def _contact(contact_id: int) -> Contact:
    contact = selectors.contact_by_id(contact_id)
    if contact is None:
        raise Http404(f"Contact {contact_id} does not exist")
    return contact


def _outbound_text(payload: dict[str, Any]) -> str:
    """The words of a message we sent, from its Graph API request body."""
    kind = payload.get("type")
    part = payload.get(kind, {}) if isinstance(kind, str) else {}
    if not isinstance(part, dict):
        return ""
    if kind == "text":
        return str(part.get("body", ""))
    if kind == "interactive":
        body = part.get("body")
        return str(body.get("text", "")) if isinstance(body, dict) else ""
    if kind == "template":
        return f"[template {part.get('name', '')}]"
    return str(part.get("caption", ""))


def _inbound_out(message: InboundMessage) -> MessageOut:
    return MessageOut(
        id=message.pk,
        direction="in",
        at=message.timestamp or message.received_at,
        type=message.type,
        text=message.text or message.reply_title,
        status=message.status,
        wa_message_id=message.wa_message_id,
        error=message.error,
    )


def _outbound_out(message: OutboundMessage) -> MessageOut:
    return MessageOut(
        id=message.pk,
        direction="out",
        at=message.created_at,
        type=message.kind,
        text=_outbound_text(message.payload if isinstance(message.payload, dict) else {}),
        status=message.status,
        wa_message_id=message.wa_message_id,
        error=message.last_error,
    )


# --- Operations -------------------------------------------------------------------------
@router.get("/contacts/", response=read(list[ContactOut]))
@paginate(Pagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> QuerySet[Contact]:
    """Contacts, most recently active first."""
    return selectors.contacts_listed(
        bot_paused=filters.bot_paused, wants_agent=filters.wants_agent, q=filters.q
    )


@router.get("/contacts/{contact_id}/", response=read(ContactOut, 404))
def get_contact(request: HttpRequest, contact_id: int = ContactId) -> Contact:
    return _contact(contact_id)


@router.get("/contacts/{contact_id}/messages/", response=read(MessagePage, 404))
def list_contact_messages(
    request: HttpRequest,
    pagination: Query[Pagination.Input],
    filters: Query[MessageFilters],
    contact_id: int = ContactId,
) -> MessagePage:
    """The conversation: messages received and sent, merged by time."""
    contact = _contact(contact_id)
    timeline = selectors.contact_timeline(contact, newest_first=filters.ordering == "-at")
    size = pagination.page_size
    offset = (pagination.page - 1) * size
    rows = list(timeline[offset : offset + size])
    ins = InboundMessage.objects.in_bulk([pk for d, _, pk in rows if d == "in"])
    outs = OutboundMessage.objects.in_bulk([pk for d, _, pk in rows if d == "out"])
    items = [
        _inbound_out(ins[pk]) if d == "in" else _outbound_out(outs[pk])
        for d, _, pk in rows
        if pk in (ins if d == "in" else outs)
    ]
    return MessagePage(items=items, count=timeline.count(), page=pagination.page, page_size=size)


@router.get("/contacts/{contact_id}/orders/", response=read(list[OrderOut], 404))
@paginate(Pagination)
def list_contact_orders(request: HttpRequest, contact_id: int = ContactId) -> QuerySet[Order]:
    """The orders of the contact's buyer, newest first (the same as /api/orders/?buyer=)."""
    return selectors.contact_orders(_contact(contact_id))


@router.post("/contacts/{contact_id}/pause/", response=write(ContactOut, 404))
def pause_bot(request: HttpRequest, contact_id: int = ContactId) -> Contact:
    """Stop the bot for this contact: a person takes over the conversation."""
    return services.set_bot_paused(_contact(contact_id), True, by=actor(request))


@router.post("/contacts/{contact_id}/resume/", response=write(ContactOut, 404))
def resume_bot(request: HttpRequest, contact_id: int = ContactId) -> Contact:
    """Let the bot answer this contact again."""
    return services.set_bot_paused(_contact(contact_id), False, by=actor(request))


# --- Outbox -----------------------------------------------------------------------------
@router.get("/outbox/problems/", response=read(list[OutboxRowOut]), tags=["outbox"])
@paginate(Pagination)
def list_outbox_problems(
    request: HttpRequest, filters: Query[OutboxFilters]
) -> QuerySet[OutboundMessage]:
    """Outbound messages still retrying after an error, failed, undeliverable or dropped,
    newest first, with why."""
    return selectors.outbox_problems(
        status=filters.status, since=filters.since, until=filters.until
    )


@router.post(
    "/outbox/{outbound_id}/resend/",
    response=write(OutboxRowOut, 404, 409),
    tags=["outbox"],
)
def resend_outbound(request: HttpRequest, outbound_id: int = OutboundId) -> Any:
    """Send a failed or undeliverable message again (audited with who asked). 409 when the
    message is not failed or undeliverable (already re-sent, sent, or a read receipt)."""
    if not selectors.outbound_exists(outbound_id):
        raise Http404(f"Outbound message {outbound_id} does not exist")
    try:
        row = resend.resend_message(outbound_id, by=actor(request), via="api")
    except NotResendable as exc:
        return Status(409, {"detail": exc.message, "code": exc.code})
    return row


# --- Parked inbound messages -----------------------------------------------------------
@router.get("/inbound-messages/failed/", response=read(list[ParkedMessageOut]))
@paginate(Pagination)
def list_failed_inbound(request: HttpRequest) -> QuerySet[InboundMessage]:
    """Inbound messages parked as failed (their handling broke; the buyer got an apology),
    most recent first. Retry one with POST /api/inbound-messages/{id}/retry/."""
    return services.parked_inbound_messages()


@router.post("/inbound-messages/{message_id}/retry/", response=write(ParkedMessageOut, 404, 409))
def retry_failed_inbound(request: HttpRequest, message_id: int = InboundId) -> InboundMessage:
    """Queue a parked message again: it is handled by the bot as if it had just arrived
    (its contact's messages stay in order). 409 if it is not parked as failed."""
    try:
        message = services.retry_inbound_message(message_id, by=actor(request))
    except InboundMessage.DoesNotExist:
        raise Http404(f"Inbound message {message_id} does not exist") from None
    except MessageNotFailed as exc:
        raise HttpError(409, exc.message) from None
    return message
