"""Approvals from WhatsApp: reviewers approve or reject payment proofs from their own phones.

Staff register their WhatsApp numbers (`StaffNumber`, from the portal's My account page).
When a proof arrives, every on-duty registered reviewer gets it on WhatsApp: the proof image
(PDF proofs as a document) and the order code, the amount expected and the buyer's first
name, with Approve / Reject reply buttons (`staff:approve:<code>`, `staff:reject:<code>`).
These are notifications: outside the reviewer's 24-hour window they are recorded as
undeliverable, like any other.

An inbound message from a registered reviewer's number (matched by the sender's id that the
webhook reports, never by anything in the message) is routed here before the buyer
conversation: a tap on Approve confirms the order, a tap on Reject asks for the reason and the
reviewer's next text message is that reason (the order code waits in the contact's context;
a buyer conversation in between drops it). Other messages from the number (and every
message from an unregistered one) go to the buyer conversation. The decisions are
raffles' services (`confirm_paid`, `reject_payment`), which refuse a second decision: a
reviewer who taps after a portal reviewer decided is told who decided. Every decision is
audited with `via: whatsapp`.

Who may review is the portal's rule (`portal.roles`); the portal registers it here
(`set_reviewer_check`) so this package does not import the portal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from messaging.bot.notifications import language_of
from messaging.channel import outbox
from messaging.channel.identity import get_contact
from messaging.models import Contact, InboundMessage, StaffNumber
from raffles import services, signals
from raffles.exceptions import RaffleError
from raffles.models import Order, OrderEvent, PaymentProof

logger = logging.getLogger(__name__)

APPROVE = "staff:approve:"
REJECT = "staff:reject:"
VIA = "whatsapp"
REASON_KEY = "staff_reject"  # the order whose rejection reason the next text gives


def _superusers_only(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


_reviewer_check: Callable[[Any], bool] = _superusers_only


def set_reviewer_check(check: Callable[[Any], bool]) -> None:
    """The portal says who may review payments (until it does: active superusers only)."""
    global _reviewer_check
    _reviewer_check = check


def normalize_number(text: str) -> str:
    """E.164 digits without "+", spaces or dashes ("+55 11 98765-4321" → "5511987654321")."""
    return "".join(ch for ch in text if ch.isdigit())


def register_number(user: Any, wa_id: str, *, on_duty: bool) -> StaffNumber | None:
    """Set (or, with an empty number, remove) a staff member's WhatsApp number."""
    digits = normalize_number(wa_id)
    if not digits:
        StaffNumber.objects.filter(user_id=user.pk).delete()
        return None
    row, _created = StaffNumber.objects.update_or_create(
        user_id=user.pk, defaults={"wa_id": digits, "on_duty": on_duty}
    )
    return row


def reviewer_for(contact: Contact) -> StaffNumber | None:
    """The registered reviewer whose number sent this contact's messages, if any."""
    if not contact.wa_id:
        return None
    row = StaffNumber.objects.select_related("user").filter(wa_id=contact.wa_id).first()
    if row is None or not _reviewer_check(row.user):
        return None
    return row


def _actor(row: StaffNumber) -> services.Actor:
    user = row.user
    return services.Actor(OrderEvent.Actor.STAFF, user, f"{user.get_username()} (WhatsApp)")


# --- Outbound: a proof arrived ---------------------------------------------------------------


@receiver(signals.proof_received, dispatch_uid="messaging-staff-proof-received")
def on_proof_received(sender: Any, order: Order, proof: PaymentProof, **kwargs: Any) -> None:
    """Send the proof to every on-duty reviewer. Never breaks the domain change."""
    try:
        with transaction.atomic():
            send_proof(order, proof)
    except Exception:
        logger.exception("proof of order %s not sent to the reviewers", order.pk)


def send_proof(order: Order, proof: PaymentProof) -> int:
    """Queue the proof for each on-duty reviewer; how many reviewers it was queued for."""
    rows = [
        r
        for r in StaffNumber.objects.select_related("user").filter(on_duty=True)
        if _reviewer_check(r.user)
    ]
    if not rows:
        return 0
    fresh = Order.objects.select_related("raffle", "buyer").get(pk=order.pk)
    with proof.file.open("rb") as handle:
        content = handle.read()
    for row in rows:
        contact = get_contact(wa_id=row.wa_id)
        with translation.override(language_of(contact)):
            if contact.window_open:
                if proof.mime_type.startswith("image/"):
                    outbox.queue_image(contact, content, proof.mime_type, caption=fresh.code)
                else:
                    outbox.queue_document(
                        contact, content, proof.mime_type, filename=f"{fresh.code}.pdf"
                    )
            outbox.queue_notification(
                contact,
                proof_text(fresh),
                buttons=[
                    (f"{APPROVE}{fresh.code}", _("Approve")),
                    (f"{REJECT}{fresh.code}", _("Reject")),
                ],
            )
    return len(rows)


def proof_text(order: Order) -> str:
    first_name = (order.buyer.name or "").split(" ")[0] or order.buyer.label
    return _(
        "Payment proof for order %(code)s: %(amount)s %(currency)s expected, from %(name)s "
        "(%(raffle)s)."
    ) % {
        "code": order.code,
        "amount": order.total_amount,
        "currency": order.raffle.currency,
        "name": first_name,
        "raffle": order.raffle.title,
    }


# --- Inbound: a reviewer answered ------------------------------------------------------------


def handle(message: InboundMessage) -> bool:
    """Route a reviewer's tap or rejection reason; False when the message is not one (the
    buyer conversation answers it). Runs in the caller's transaction. Only a staff button
    id, or a text while a rejection waits for its reason (`REASON_KEY` in the contact's
    context), costs a look-up: every other message goes straight to the buyer conversation."""
    contact = message.contact
    reply_id = message.reply_id or ""
    tapped = message.type in ("interactive", "button") and reply_id.startswith((APPROVE, REJECT))
    waiting = message.type == "text" and bool(contact.context.get(REASON_KEY))
    if not (tapped or waiting):
        return False
    row = reviewer_for(contact)
    if row is None:
        return False
    outbox.queue_read(message, typing=True)
    with translation.override(language_of(contact)):
        if not tapped:
            answer = _reject(row, contact, message.text)
        elif reply_id.startswith(APPROVE):
            answer = _approve(row, reply_id.removeprefix(APPROVE))
        else:
            answer = _ask_reason(contact, reply_id.removeprefix(REJECT))
        outbox.queue_text(contact, answer)
    return True


def _remember_reason_for(contact: Contact, code: str) -> None:
    context = dict(contact.context or {})
    if code:
        context[REASON_KEY] = code
    else:
        context.pop(REASON_KEY, None)
    contact.context = context
    contact.save(update_fields=["context", "updated_at"])


def _order(code: str) -> Order | None:
    return Order.objects.select_related("raffle").filter(code=code).first()


def _approve(row: StaffNumber, code: str) -> str:
    order = _order(code)
    if order is None:
        return _("There is no order %(code)s.") % {"code": code}
    if not PaymentProof.objects.filter(order=order, review=PaymentProof.Review.PENDING).exists():
        return _decided(order)
    try:
        with transaction.atomic():
            services.confirm_paid(order, by=_actor(row), via=VIA)
    except RaffleError as exc:
        return _refused(order, exc)
    return _("Order %(code)s is confirmed; the buyer gets the receipt.") % {"code": code}


def _ask_reason(contact: Contact, code: str) -> str:
    order = _order(code)
    if order is None:
        return _("There is no order %(code)s.") % {"code": code}
    if not order.accepts_proof:
        return _decided(order)
    _remember_reason_for(contact, code)
    return _("Reply with the reason for rejecting order %(code)s; the buyer reads it.") % {
        "code": code
    }


def _reject(row: StaffNumber, contact: Contact, reason: str) -> str:
    code = str(contact.context.get(REASON_KEY, ""))
    _remember_reason_for(contact, "")
    order = _order(code)
    if order is None:
        return _("There is no order %(code)s.") % {"code": code}
    try:
        with transaction.atomic():
            services.reject_payment(order, reason, by=_actor(row), via=VIA)
    except RaffleError as exc:
        return _refused(order, exc)
    return _("The payment of order %(code)s is rejected; the buyer was told why.") % {"code": code}


def _refused(order: Order, exc: RaffleError) -> str:
    order.refresh_from_db()
    if not order.accepts_proof:
        return _decided(order)
    return _("Order %(code)s could not be decided: %(problem)s") % {
        "code": order.code,
        "problem": str(exc),
    }


def _decided(order: Order) -> str:
    """Someone else decided first (the portal, another reviewer)."""
    if order.is_paid:
        who = order.confirmed_by.get_username() if order.confirmed_by else _("someone")
        return _("Order %(code)s was already confirmed by %(who)s.") % {
            "code": order.code,
            "who": who,
        }
    rejected = (
        PaymentProof.objects.filter(order=order, review=PaymentProof.Review.REJECTED)
        .select_related("reviewed_by")
        .order_by("-reviewed_at")
        .first()
    )
    if rejected is not None and order.accepts_proof:
        who = rejected.reviewed_by.get_username() if rejected.reviewed_by else _("someone")
        return _("The proof of order %(code)s was already rejected by %(who)s.") % {
            "code": order.code,
            "who": who,
        }
    return _("Order %(code)s is %(status)s; there is nothing to decide.") % {
        "code": order.code,
        "status": order.get_status_display().lower(),
    }
