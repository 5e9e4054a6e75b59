"""Tell buyers on WhatsApp what happened to their orders: raffles' signals → the outbox.

Raffles sends most signals inside the service's transaction, so each message here is an
outbox row written in the same transaction as the change: it exists if and only if the change
committed. `order_reserved` is the exception: the reservation hot path commits on its own, so
that notice is queued in a transaction of its own just after (a crash between the two loses
the notice, never the reservation). Each notice (messaging.bot.notices) has its text and reply
buttons, sent inside the 24-hour window, and its own template, sent outside it when approved;
`outbox.queue_notification` otherwise records the message as undeliverable, with the reason.
Marketing notices (the day-before-draw reminder) skip buyers who said "stop".

No duplicates with the bot: while the bot itself runs a buyer's action (`bot_acting`), the
signals that action sends (reserved, proof received, cancelled by the buyer) are not
notified, because the bot's own reply already says it. The same signals from elsewhere (the
portal or the API acting for a buyer) are notified.

A receiver never breaks the domain change: its work runs in a savepoint and any error is
logged, never raised.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone, translation

from messaging.bot import notices
from messaging.bot.acting import is_bot_acting
from messaging.bot.flow import language
from messaging.bot.flow.queries import early_result_view, order_view, result_view
from messaging.bot.flow.snapshots import OrderView
from messaging.channel import outbox
from messaging.models import Contact
from raffles import selectors, services, signals
from raffles.models import EarlyDraw, Order, Raffle
from raffles.public import tickets

logger = logging.getLogger(__name__)


def contact_for(buyer_id: int) -> Contact | None:
    """The buyer's contact, if any. Runs after every reservation (most of which the bot
    made, or made for buyers without a contact), so the common "none" answer is one indexed
    SELECT sent straight through the driver, not a compiled ORM query."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        row = connection.connection.execute(_contact_sql(connection.vendor), [buyer_id]).fetchone()
    return None if row is None else Contact.objects.get(pk=row[0])


_NO_CONTACT = object()


def contact_for_order(order: Order) -> Contact | None:
    """`contact_for` the order's buyer, looked up once per order object: the receipt and the
    ticket of one payment share it."""
    found: object = order.__dict__.get("_buyer_contact", _NO_CONTACT)
    if found is _NO_CONTACT:
        found = contact_for(order.buyer_id)
        order.__dict__["_buyer_contact"] = found
    return cast("Contact | None", found)


@functools.cache
def _contact_sql(vendor: str) -> str:
    mark = "%s" if vendor == "postgresql" else "?"
    table = Contact._meta.db_table
    return f"SELECT id FROM {table} WHERE buyer_id = {mark} ORDER BY id LIMIT 1"  # noqa: S608


def language_of(contact: Contact) -> str:
    return (
        language.normalize(contact.language) or language.normalize(settings.LANGUAGE_CODE) or "en"
    )


def notify(contact: Contact, build: Callable[[], notices.Notice]) -> None:
    """Queue one notification in the contact's language, never raising."""
    try:
        with transaction.atomic():
            queue(contact, build)
    except Exception:
        logger.exception("whatsapp notification to contact %s not queued", contact.pk)


def queue(contact: Contact, build: Callable[[], notices.Notice]) -> bool:
    """Queue one notification in the contact's language, in the caller's transaction. A
    marketing notice is not sent to a contact who opted out (False)."""
    with translation.override(language_of(contact)):
        notice = build()
        if notice.marketing and contact.marketing_opt_out:
            return False
        outbox.queue_notification(
            contact, notice.text, buttons=notice.choices, template=notice.template
        )
    return True


def notify_order(
    order: Order,
    build: Callable[[OrderView], notices.Notice],
    *,
    skip_bot: bool,
    reread: bool = True,
) -> None:
    """`reread=False`: the signal's order is as stored now (read by the service after its
    change, with its raffle), so it is not read again."""
    if skip_bot and is_bot_acting(order.buyer_id):
        return
    if Order.buyer.is_cached(order) and not order.buyer.has_channel:
        return  # no contact was ever linked to this buyer: nothing to look up
    contact = contact_for_order(order)
    if contact is None:
        return
    fresh = order
    if reread or not Order.raffle.is_cached(order):
        fresh = Order.objects.select_related("raffle").get(pk=order.pk)
    notify(contact, lambda: build(order_view(fresh)))


@receiver(post_save, sender=Contact, dispatch_uid="messaging-contact-linked")
def on_contact_saved(
    sender: Any, instance: Contact, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    """A contact linked to a buyer gives that buyer a channel (`Buyer.has_channel`)."""
    if instance.buyer_id is None or (update_fields is not None and "buyer" not in update_fields):
        return
    buyer = instance.buyer if Contact.buyer.is_cached(instance) else None
    if buyer is not None:
        services.mark_has_channel(buyer)  # the caller's copy learns it too
    else:
        services.mark_has_channel(instance.buyer_id)


@receiver(signals.order_reserved, dispatch_uid="messaging-order-reserved")
def on_order_reserved(sender: Any, order: Order, **kwargs: Any) -> None:
    notify_order(order, lambda v: notices.reserved(v, timezone.now()), skip_bot=True)


@receiver(signals.order_expiring_soon, dispatch_uid="messaging-order-expiring-soon")
def on_order_expiring_soon(sender: Any, order: Order, **kwargs: Any) -> None:
    # A proof sent meanwhile (even while a person had the conversation) ends the reminders.
    if not Order.objects.awaiting_proof().filter(pk=order.pk).exists():
        return
    notify_order(order, lambda v: notices.hold_reminder(v, timezone.now()), skip_bot=False)


@receiver(signals.order_expired, dispatch_uid="messaging-order-expired")
def on_order_expired(sender: Any, order: Order, **kwargs: Any) -> None:
    notify_order(order, notices.hold_expired, skip_bot=False)


@receiver(signals.proof_received, dispatch_uid="messaging-proof-received")
def on_proof_received(sender: Any, order: Order, **kwargs: Any) -> None:
    notify_order(order, notices.proof_received, skip_bot=True)


@receiver(signals.order_paid, dispatch_uid="messaging-order-paid")
def on_order_paid(sender: Any, order: Order, **kwargs: Any) -> None:
    url, suffix = tickets.ticket_url(order), tickets.ticket_button_suffix(order)
    # confirm_paid and confirm_paid_many send the order as they stored it
    notify_order(
        order, lambda view: notices.receipt(view, url, suffix), skip_bot=False, reread=False
    )


@receiver(signals.payment_rejected, dispatch_uid="messaging-payment-rejected")
def on_payment_rejected(sender: Any, order: Order, reason: str = "", **kwargs: Any) -> None:
    notify_order(
        order, lambda v: notices.payment_rejected(v, reason, timezone.now()), skip_bot=False
    )


@receiver(signals.order_cancelled, dispatch_uid="messaging-order-cancelled")
def on_order_cancelled(sender: Any, order: Order, by_buyer: bool = False, **kwargs: Any) -> None:
    # Buyers cancel through the bot, which answers itself; staff cancellations are told.
    if by_buyer:
        return
    notify_order(order, notices.cancelled, skip_bot=True)


@receiver(signals.raffle_drawn, dispatch_uid="messaging-raffle-drawn")
def on_raffle_drawn(sender: Any, raffle: Raffle, **kwargs: Any) -> None:
    """Every buyer with a paid order in the raffle hears about the draw once."""
    buyer_ids = (
        Order.objects.filter(raffle=raffle, status=Order.Status.PAID)
        .order_by()
        .values_list("buyer_id", flat=True)
        .distinct()
    )
    page = selectors.public_draw_url(raffle)
    for contact in Contact.objects.filter(buyer_id__in=list(buyer_ids)).select_related("buyer"):
        result = result_view(raffle, contact.buyer)
        notify(contact, functools.partial(notices.drawn, result, page))


@receiver(signals.early_draw_drawn, dispatch_uid="messaging-early-draw-drawn")
def on_early_draw_drawn(sender: Any, raffle: Raffle, early_draw: EarlyDraw, **kwargs: Any) -> None:
    """Every buyer whose numbers took part in an early-bird draw
    (`selectors.early_draw_buyer_ids`) hears its result once (the service sends the signal
    once)."""
    summary = selectors.summary_of(raffle, early_draw, early=early_draw)  # read once
    buyer_ids = selectors.early_draw_buyer_ids(early_draw)
    for contact in Contact.objects.filter(buyer_id__in=buyer_ids).select_related("buyer"):
        result = early_result_view(summary, contact.buyer, raffle.title)
        notify(contact, functools.partial(notices.early_drawn, result))


def send_order_notice(order: Order) -> bool:
    """Staff asked to send the buyer her order on WhatsApp (a sale recorded at the counter):
    the receipt when paid, else the reservation notice, in her language; outside the 24-hour
    window its approved template. A buyer with a phone number and no contact yet gets one.
    False when the buyer cannot be reached (no phone number and no contact)."""
    from messaging.channel.identity import get_contact

    fresh = Order.objects.select_related("raffle", "buyer").get(pk=order.pk)
    contact = contact_for(fresh.buyer_id)
    if contact is None:
        if not fresh.buyer.phone:
            return False
        contact = get_contact(wa_id=fresh.buyer.phone.lstrip("+"))
    view = order_view(fresh)
    if fresh.is_paid:
        build = functools.partial(notices.receipt, view)
    else:
        build = functools.partial(notices.reserved, view, timezone.now())
    with transaction.atomic():
        queue(contact, build)
    return True
