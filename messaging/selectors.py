"""Reads of the WhatsApp channel shared by the API and the portal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from messaging.channel import resend
from messaging.models import Contact, InboundMessage, OutboundMessage
from raffles import selectors as raffle_selectors
from raffles.models import Order


def contact_by_id(contact_id: int) -> Contact | None:
    return Contact.objects.select_related("buyer").filter(pk=contact_id).first()


def buyer_of_contact(contact_id: int) -> int | None:
    """The buyer a contact stands for (None: no such contact, or no buyer yet)."""
    return Contact.objects.filter(pk=contact_id).values_list("buyer_id", flat=True).first()


def waiting_for_person() -> QuerySet[Contact]:
    """Contacts who asked for a person and got no staff answer yet (the portal's alert)."""
    return Contact.objects.filter(wants_agent=True)


def contacts_listed(
    *, bot_paused: bool | None = None, wants_agent: bool | None = None, q: str | None = None
) -> QuerySet[Contact]:
    """Contacts, most recently active first; `q`: part of the name, number or username."""
    contacts = Contact.objects.select_related("buyer")
    if bot_paused is not None:
        contacts = contacts.filter(bot_paused=bot_paused)
    if wants_agent is not None:
        contacts = contacts.filter(wants_agent=wants_agent)
    if q:
        q = q.strip()
        contacts = contacts.filter(
            Q(profile_name__icontains=q)
            | Q(wa_id__contains=q)
            | Q(buyer__name__icontains=q)
            | Q(username__icontains=q.removeprefix("@"))
            | Q(user_id=q)
        )
    return contacts.order_by(F("last_inbound_at").desc(nulls_last=True), "-id")


def contact_timeline(
    contact: Contact, *, newest_first: bool = True
) -> QuerySet[Any, tuple[str, datetime, int]]:
    """(direction "in"/"out", time, id) of every message received and sent (read receipts
    left out), merged by time. Rows of both message models, hence `Any` for the model."""
    direction = CharField(max_length=3)
    inbound = (
        InboundMessage.objects.filter(contact=contact)
        .annotate(direction=Value("in", output_field=direction))
        .annotate(at=Coalesce("timestamp", "received_at"))
        .values_list("direction", "at", "id")
        .order_by()
    )
    outbound = (
        OutboundMessage.objects.filter(contact=contact)
        .exclude(kind=OutboundMessage.Kind.READ)
        .annotate(direction=Value("out", output_field=direction))
        .annotate(at=F("created_at"))
        .values_list("direction", "at", "id")
        .order_by()
    )
    return inbound.union(outbound, all=True).order_by(
        *(("-at", "-id") if newest_first else ("at", "id"))
    )


def contact_orders(contact: Contact) -> QuerySet[Order]:
    """The orders of the contact's buyer, newest first (none before it has one)."""
    if contact.buyer is None:
        return Order.objects.none()
    return (
        raffle_selectors.buyer_orders(contact.buyer)
        .select_related("buyer")
        .prefetch_related("order_tickets")
        .order_by("-created_at", "-id")
    )


def outbox_problems(
    *, status: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[OutboundMessage]:
    """Outbound messages still retrying after an error ("failing"), failed, undeliverable or
    dropped, newest first."""
    rows = resend.troubled_messages()
    if status == "failing":
        rows = rows.filter(status__in=OutboundMessage.PENDING_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if since:
        rows = rows.filter(created_at__gte=since)
    if until:
        rows = rows.filter(created_at__lt=until)
    return rows


def outbound_exists(outbound_id: int) -> bool:
    return OutboundMessage.objects.filter(pk=outbound_id).exists()
