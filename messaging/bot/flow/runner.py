"""The thin shell around the pure core: read, run effects with the services, save, queue.

`respond(message)` is called by `messaging.bot.handlers.handle_inbound` inside the transaction
that marks the message processed, so the contact's new state, the domain change (a
reservation, a cancellation, a proof) and the outbox rows of the replies commit together or
not at all. Each domain effect runs in a savepoint: a RaffleError rolls back only that effect
and becomes a friendly reply (`machine.settle`).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging import services as messaging_services
from messaging.bot import claim_notice, pictures, seller_codes
from messaging.bot.acting import bot_acting
from messaging.bot.flow import language, machine, page_links
from messaging.bot.flow.effects import (
    ApplyCoupon,
    AttachProof,
    Cancel,
    ClaimPrize,
    DomainEffect,
    OptOut,
    PauseBot,
    ProofUnreadable,
    Reserve,
    ResumeBot,
    SetLanguage,
)
from messaging.bot.flow.events import InboundEvent, Kind, Media
from messaging.bot.flow.queries import DbQueries, order_view
from messaging.bot.flow.replies import Buttons, List, PayLink, Picture, Reply, Text, fold
from messaging.bot.flow.snapshots import OrderView
from messaging.channel import identity, jobs, outbox, statements
from messaging.models import Contact, InboundMessage
from raffles import services
from raffles.exceptions import InvalidOrderState, RaffleError
from raffles.models import Buyer, Order, OrderEvent
from raffles.public import selectors as public_selectors
from raffles.services.pricing import apply_coupon

logger = logging.getLogger(__name__)
PAY_LINK_TASK = "messaging.tasks.send_payment_link"

LANGUAGES = language.LANGUAGES


def language_of(contact: Contact) -> str:
    """The language to write to this contact in: hers, else the deployment's."""
    return (
        language.normalize(contact.language) or language.normalize(settings.LANGUAGE_CODE) or "en"
    )


def learn_language(contact: Contact, message: InboundMessage) -> None:
    """While a contact has no language yet: her words tell it, else her phone's country code
    (a hint); with neither, the deployment's language applies and nothing is stored."""
    if contact.language:
        return
    words = message.text if message.type == "text" else ""
    code = language.detect(words) or language.from_phone(contact.wa_id)
    if code:
        contact.language = code


def to_event(message: InboundMessage) -> InboundEvent:
    """The channel's stored message as the flow's event."""
    kind = message.type
    if kind == "text":
        return InboundEvent(Kind.TEXT, text=message.text, type=kind)
    if kind == "interactive":
        body = message.payload.get("interactive") if isinstance(message.payload, dict) else None
        sub = body.get("type") if isinstance(body, dict) else ""
        if message.reply_id and sub == "list_reply":
            return InboundEvent(Kind.LIST, text=message.reply_title, reply_id=message.reply_id)
        if message.reply_id:
            return InboundEvent(Kind.BUTTON, text=message.reply_title, reply_id=message.reply_id)
        return InboundEvent(Kind.OTHER, type=f"interactive:{sub or 'unknown'}")
    if kind == "button":  # a template's quick-reply button
        return InboundEvent(
            Kind.BUTTON, text=message.reply_title or message.text, reply_id=message.reply_id
        )
    if kind in ("image", "document"):
        ok = message.media_status == InboundMessage.MediaStatus.DOWNLOADED
        return InboundEvent(
            Kind.MEDIA,
            type=kind,
            text=message.text,
            media=Media(
                media_id=message.media_id,
                mime_type=message.media_content_type or message.media_mime,
                filename=message.media_filename,
                ok=ok,
                error="" if ok else _media_problem(message),
            ),
        )
    return InboundEvent(Kind.OTHER, type=kind)


def _media_problem(message: InboundMessage) -> str:
    if message.media_status == InboundMessage.MediaStatus.REFUSED:
        return _("it is too large, or not a photo or a PDF")
    return _("it could not be downloaded")


def respond(message: InboundMessage) -> None:
    """Answer one inbound message, after its read receipt (with a typing indicator only when
    a reply follows). While the bot is paused for this contact (a person has the
    conversation) it answers only a payment proof and the way back to the bot; every message
    is stored all the same, for the person who answers."""
    # Part of the caller's transaction (no savepoint of its own: an error rolls the whole
    # message back). The contact is locked; its buyer comes with it, unlocked.
    with transaction.atomic(savepoint=False):
        contact = statements.lock_contact(message.contact_id)
        buyer = _buyer(contact)
        learn_language(contact, message)
        with translation.override(language_of(contact)):
            _respond(contact, buyer, message)


def _raffle_id_for_ref(ref: str) -> int | None:
    """The public raffle a page's `#name` names (its short link name or public id)."""
    raffle = public_selectors.public_raffle(ref)
    return raffle.pk if raffle is not None else None


def _buyer(contact: Contact) -> Buyer:
    if contact.buyer is not None:
        return contact.buyer
    buyer = identity.buyer_for(contact)
    if not Contact.objects.filter(buyer=buyer).exclude(pk=contact.pk).exists():
        contact.buyer = buyer
        contact.save(update_fields=["buyer", "updated_at"])
    return buyer


def _respond(contact: Contact, buyer: Buyer, message: InboundMessage) -> None:
    q = DbQueries(buyer, name=contact.profile_name, now=timezone.now())
    if message.type == "text":
        seller_codes.remember(buyer, message.text, contact.context, _raffle_id_for_ref)
    current = contact.context.get("raffle") if isinstance(contact.context, dict) else None
    event = page_links.read(
        to_event(message), _raffle_id_for_ref, current if isinstance(current, int) else None
    )
    first = False
    if contact.bot_paused:
        maybe = machine.handle_paused(contact.state, contact.context, event, q)
        if maybe is None:
            outbox.queue_read(message, typing=False)
            return
        outcome = maybe
    else:
        first = not statements.has_answered(contact.pk)
        outcome = machine.handle(contact.state, contact.context, event, q, first_contact=first)
    # The typing indicator only when an answer follows (none to a reaction).
    outbox.queue_read(message, typing=bool(outcome.replies or outcome.effects))
    replies: list[Reply] = list(outcome.replies)
    effect = outcome.domain_effect
    if effect is not None:
        result = _execute(effect, buyer, message)
        known = (result,) if isinstance(result, OrderView) else ()
        q = DbQueries(buyer, name=contact.profile_name, now=timezone.now(), known=known)
        outcome = machine.settle(outcome.state, outcome.context, effect, result, q)
        replies.extend(outcome.replies)
    replies = list(fold(replies))
    for other in outcome.effects:
        if isinstance(other, PauseBot | ResumeBot):
            _pause(contact, buyer, paused=isinstance(other, PauseBot))
        elif isinstance(other, SetLanguage):
            contact.language = other.code
        elif isinstance(other, OptOut):
            messaging_services.set_marketing_opt_out(contact, other.opted_out, _actor(buyer))
        elif isinstance(other, ClaimPrize):
            claim_notice.register(buyer, other, _actor(buyer))
    contact.state = outcome.state
    contact.context = outcome.context
    statements.save_turn(contact, timezone.now())
    for reply in replies:
        queue_reply(contact, reply)
    if not first:  # a buyer the bot never answered cannot have won yet
        claim_notice.tell_pending(contact, buyer)


def _pause(contact: Contact, buyer: Buyer, *, paused: bool) -> None:
    """Hand the conversation to a person (the buyer asked for one), or take it back."""
    reason = "buyer asked for a person" if paused else "buyer went back to the bot"
    changed = messaging_services.set_bot_paused(
        contact, paused, _actor(buyer), wants_agent=paused, reason=reason
    )
    contact.bot_paused, contact.wants_agent = changed.bot_paused, changed.wants_agent
    contact.handover_until = changed.handover_until


def _actor(buyer: Buyer) -> services.Actor:
    return services.Actor(OrderEvent.Actor.BUYER, None, f"{buyer.label} (WhatsApp)")


def _execute(effect: DomainEffect, buyer: Buyer, message: InboundMessage) -> OrderView | Exception:
    """Run one domain effect in a savepoint. Domain errors come back as values."""
    by = _actor(buyer)
    try:
        with transaction.atomic(), bot_acting(buyer.pk):
            if isinstance(effect, Reserve):
                return _reserve(effect, buyer, by)
            order = Order.objects.select_related("raffle", "raffle__payment_setup").get(
                buyer=buyer, code=effect.code
            )
            if isinstance(effect, Cancel):
                return order_view(services.cancel_order(order, by=by))
            if isinstance(effect, ApplyCoupon):
                apply_coupon(order=order, code=effect.coupon, by=by)
                return order_view(
                    Order.objects.select_related("raffle", "raffle__payment_setup").get(pk=order.pk)
                )
            return _attach(effect, order, message, by)
    except (RaffleError, ProofUnreadable) as exc:
        return exc
    except Order.DoesNotExist:
        return InvalidOrderState("use", "unknown")


def _reserve(effect: Reserve, buyer: Buyer, by: services.Actor) -> OrderView:
    order = services.reserve_replacing(
        raffle_id=effect.raffle_id,
        buyer=buyer,
        numbers=effect.numbers,
        qty=effect.qty,
        replacing=effect.replace,
        adding=effect.add,
        by=by,
    )
    return order_view(
        Order.objects.select_related("raffle", "raffle__payment_setup").get(pk=order.pk)
    )


def _attach(
    effect: AttachProof, order: Order, message: InboundMessage, by: services.Actor
) -> OrderView:
    if (
        message.media_id != effect.media.media_id
        or message.media_status != InboundMessage.MediaStatus.DOWNLOADED
        or not message.media_file
    ):
        raise ProofUnreadable()
    with message.media_file.open("rb") as handle:
        content = handle.read()
    services.attach_payment_proof(
        order,
        content=content,
        mime_type=message.media_content_type or effect.media.mime_type,
        filename=message.media_filename or message.media_file.name or "",
        source_media_id=message.media_id,
        by=by,
    )
    return order_view(
        Order.objects.select_related("raffle", "raffle__payment_setup").get(pk=order.pk)
    )


def queue_reply(contact: Contact, reply: Reply) -> Any:
    if isinstance(reply, Text):
        return outbox.queue_text(contact, reply.body)
    if isinstance(reply, Buttons):
        return outbox.queue_buttons(contact, reply.body, [(b.id, b.title) for b in reply.buttons])
    if isinstance(reply, Picture):
        return pictures.queue_picture(contact, reply)
    if isinstance(reply, PayLink):
        return _queue_pay_link(contact, reply)
    if isinstance(reply, List):
        return outbox.queue_list(
            contact,
            reply.body,
            reply.button,
            sections=[
                (s.title, [(r.id, r.title, r.description) for r in s.rows]) for s in reply.sections
            ],
        )
    raise TypeError(f"Unknown reply {reply!r}")


def _queue_pay_link(contact: Contact, reply: PayLink) -> None:
    """The link is made after this turn commits (the provider is an HTTP call, never made
    while the contact's row is locked) and queued after the messages of this turn."""
    jobs.enqueue_after_commit(
        PAY_LINK_TASK,
        contact.pk,
        reply.order_code,
        reply.body,
        _("Pay now"),
        _("The payment link is not available right now; please try again later."),
        secrets.token_hex(16),  # this request: a redelivered task queues the button once
    )
