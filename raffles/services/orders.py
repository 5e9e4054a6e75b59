"""Orders after the reservation: payment proofs, staff review, cancellation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.db.retry import retry_on_conflict
from raffles import selectors, signals
from raffles.audit import EventKind
from raffles.exceptions import (
    InvalidInput,
    InvalidOrderState,
    NumbersNoLongerAvailable,
    UnconfirmedOrderExists,
)
from raffles.models import Buyer, Order, OrderEvent, PaymentProof, TicketNumber
from raffles.payments import proof_hints
from raffles.rules import MAX_UNCONFIRMED_PER_RAFFLE
from raffles.services.actors import ActorLike, as_actor
from raffles.services.draws import ensure_payments_open
from raffles.services.events import log_event
from raffles.services.reservations import (
    release_order_reservations,
    reserve_random,
    reserve_specific,
)

RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD
MIME_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
MAX_REASON = 500


def _fresh(order: Order, *, lock: bool = False) -> Order:
    """The order as stored now. `lock=True` (inside a transaction) holds its row until commit:
    two people acting on one order take turns (PostgreSQL; SQLite serialises writers), and
    every service locks the order before its numbers, so they cannot deadlock each other."""
    qs = Order.objects.select_related("raffle", "buyer")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=order.pk)


def _safe_filename(filename: str, mime_type: str, digest: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", filename.rsplit("/", 1)[-1])[:60].strip("._")
    ext = MIME_EXTENSIONS.get(mime_type, "bin")
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{digest[:16]}-{stem or 'proof'}.{ext}"


def _retake_or_expire(order: Order, now: datetime) -> None:
    """A proof came after the hold ran out but before the expiry job: keep the order if all
    its numbers are still free (re-held without expiry), otherwise expire it now, so it never
    claims numbers another order took. Its proof is kept for staff either way."""
    numbers = order.numbers()
    held = (
        TicketNumber.objects.filter(
            Q(reserved_by_order=order, status=RESERVED) | TicketNumber.claimable_q(now),
            raffle=order.raffle,
        )
        .filter(number__in=numbers)
        .order_by()
        .update(status=RESERVED, reserved_by_order=order, reserved_until=None)
    )
    if held == len(numbers):
        return
    release_order_reservations(order)
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.EXPIRED, closed_at=now, updated_at=now
    )
    order.status = Order.Status.EXPIRED
    log_event(kind=EventKind.EXPIRED, order=order, released=held, reason="numbers taken meanwhile")
    signals.order_expired.send(sender=Order, order=order)


def proof_hints_for(order: Order, *, content: bytes, mime_type: str) -> dict[str, Any]:
    """The hints of a PDF proof for this order (JSON), {} for other files. Read outside the
    transaction: it is the slow part, and depends only on the bytes and the order's code,
    total and day."""
    if not proof_hints.is_pdf(content, mime_type):
        return {}
    return proof_hints.hints_for_pdf(
        content,
        code=order.code,
        expected=order.total_amount,
        ordered_on=timezone.localdate(order.created_at),
    ).to_json()


@retry_on_conflict
def attach_payment_proof(
    order: Order,
    *,
    content: bytes,
    mime_type: str,
    filename: str = "",
    source_media_id: str = "",
    by: ActorLike = None,
) -> PaymentProof:
    """Store a payment proof for staff review. From then on the order's hold does not expire
    while staff review it. Idempotent per source media id. A file already sent for another
    order is flagged (`duplicate_of`)."""
    if not content:
        raise InvalidInput("The payment proof is empty", field="content")
    digest = hashlib.sha256(content).hexdigest()
    if source_media_id:
        existing = PaymentProof.objects.filter(order=order, source_media_id=source_media_id).first()
        if existing:
            return existing
    now = timezone.now()
    hints = proof_hints_for(order, content=content, mime_type=mime_type)
    with transaction.atomic():
        order = _fresh(order, lock=True)
        if not order.accepts_proof:
            raise InvalidOrderState("add a payment proof to", order.get_status_display().lower())
        if order.hold_ran_out(now):
            _retake_or_expire(order, now)
        earlier = (
            PaymentProof.objects.filter(sha256=digest)
            .exclude(order=order)
            .order_by("received_at")
            .first()
        )
        proof = PaymentProof(
            order=order,
            mime_type=mime_type,
            sha256=digest,
            size=len(content),
            received_at=now,
            source_media_id=source_media_id,
            duplicate_of=earlier,
            hints=hints,
        )
        proof.file.save(_safe_filename(filename, mime_type, digest), ContentFile(content), False)
        proof.save()
        if order.is_waiting_payment:
            Order.objects.filter(pk=order.pk).update(proof_received_at=now, updated_at=now)
            TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED).update(
                reserved_until=None
            )
            order.proof_received_at = now
        log_event(
            kind=EventKind.PROOF_RECEIVED,
            by=by or order.buyer,
            order=order,
            proof=proof.pk,
            sha256=digest,
            duplicate_of_order=earlier.order.code if earlier else None,
        )
        signals.proof_received.send(sender=Order, order=order, proof=proof)
    return proof


@retry_on_conflict
def confirm_paid(
    order: Order, media_id: str | None = None, *, by: ActorLike = None, via: str = ""
) -> Order:
    """Staff confirm the payment: the order's numbers become SOLD.

    Works for late payments (an EXPIRED order) when its numbers are still free; otherwise
    raises NumbersNoLongerAvailable and changes nothing. `via` names the channel the decision
    came through (recorded on the event when given).
    """
    now = timezone.now()
    with transaction.atomic():
        order = _fresh(order, lock=True)
        if not order.accepts_proof:
            raise InvalidOrderState("confirm payment of", order.get_status_display().lower())
        ensure_payments_open(order)
        numbers = order.numbers()
        mine = Q(reserved_by_order=order, status=RESERVED)
        sold = (
            TicketNumber.objects.filter(mine | TicketNumber.claimable_q(now), raffle=order.raffle)
            .filter(number__in=numbers)
            .order_by()
            .update(status=SOLD, reserved_by_order=order, reserved_until=None)
        )
        if sold != len(numbers):
            gone = sorted(
                TicketNumber.objects.filter(raffle=order.raffle, number__in=numbers)
                .exclude(reserved_by_order=order)
                .values_list("number", flat=True)
            )
            transaction.set_rollback(True)
            raise NumbersNoLongerAvailable(gone)
        was = order.status
        Order.objects.filter(pk=order.pk).update(
            status=Order.Status.PAID,
            paid_at=now,
            updated_at=now,
            confirmed_by=as_actor(by).user,
        )
        proofs = PaymentProof.objects.filter(order=order, review=PaymentProof.Review.PENDING)
        if media_id:
            proofs = proofs.filter(source_media_id=media_id)
        proofs.update(
            review=PaymentProof.Review.CONFIRMED,
            reviewed_at=now,
            reviewed_by=as_actor(by).user,
        )
        order = _fresh(order)
        log_event(
            kind=EventKind.PAID,
            by=by,
            order=order,
            late=was == Order.Status.EXPIRED,
            **_via(via),
        )
        signals.order_paid.send(sender=Order, order=order)
    return order


def _via(via: str) -> dict[str, Any]:
    """The event detail naming the channel a decision came through (none when not given)."""
    return {"via": via} if via else {}


@retry_on_conflict
def reject_payment(order: Order, reason: str, *, by: ActorLike = None, via: str = "") -> Order:
    """Staff reject the proofs waiting for review. The buyer may send a new proof: a live
    order gets a fresh hold of the raffle's reservation time."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the payment is rejected", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason can have at most {MAX_REASON} characters", field="reason")
    now = timezone.now()
    with transaction.atomic():
        order = _fresh(order, lock=True)
        if not order.accepts_proof:
            raise InvalidOrderState("reject payment of", order.get_status_display().lower())
        reviewer = as_actor(by).user
        pending = PaymentProof.objects.filter(order=order, review=PaymentProof.Review.PENDING)
        proof = pending.order_by("-received_at").first()
        if proof is None:
            raise InvalidOrderState("reject payment of", "without a proof to review")
        pending.update(
            review=PaymentProof.Review.REJECTED,
            reviewed_at=now,
            reviewed_by=reviewer,
            rejection_reason=reason,
        )
        if order.is_waiting_payment:
            until = now + timedelta(minutes=order.raffle.reservation_minutes)
            Order.objects.filter(pk=order.pk).update(
                proof_received_at=None, expires_at=until, reminder_sent_at=None, updated_at=now
            )
            TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED).update(
                reserved_until=until
            )
        order = _fresh(order)
        log_event(
            kind=EventKind.PAYMENT_REJECTED,
            by=by,
            order=order,
            reason=reason,
            **_via(via),
        )
        signals.payment_rejected.send(sender=Order, order=order, proof=proof, reason=reason)
    return order


@retry_on_conflict
def cancel_order(order: Order, *, by: ActorLike = None) -> Order:
    """Cancel a live order and free its numbers. Paid orders cannot be cancelled here."""
    now = timezone.now()
    with transaction.atomic():
        won = Order.objects.filter(pk=order.pk, status__in=Order.LIVE_STATUSES).update(
            status=Order.Status.CANCELLED, closed_at=now, updated_at=now
        )
        order = _fresh(order)
        if not won:
            raise InvalidOrderState("cancel", order.get_status_display().lower())
        released = release_order_reservations(order)
        log_event(kind=EventKind.CANCELLED, by=by, order=order, released=released)
        by_buyer = as_actor(by).type == OrderEvent.Actor.BUYER
        signals.order_cancelled.send(sender=Order, order=order, by_buyer=by_buyer)
    return order


def reserve_replacing(
    *,
    raffle_id: int,
    buyer: Buyer,
    numbers: Iterable[int] = (),
    qty: int = 0,
    replacing: str = "",
    adding: bool = False,
    by: ActorLike = None,
) -> Order:
    """Reserve `numbers` (or `qty` at random) for the buyer, first cancelling their order
    `replacing` (by code), all in one transaction: a refused reservation leaves the old order
    as it was.

    A buyer has at most `MAX_UNCONFIRMED_PER_RAFFLE` unconfirmed orders per raffle unless she
    adds one explicitly (`adding`): otherwise `UnconfirmedOrderExists` names them. An order
    that can no longer be replaced (a proof is under review) raises `InvalidOrderState`."""
    with transaction.atomic():
        if replacing:
            old = (
                Order.objects.select_for_update(of=("self",))
                .filter(buyer=buyer, code=replacing)
                .first()
            )
            if old is not None and old.can_be_replaced:
                cancel_order(old, by=by)
            elif old is not None and old.is_unconfirmed(timezone.now()):
                raise InvalidOrderState("replace", old.status)
        if not adding:
            held = list(
                selectors.unconfirmed_orders(buyer, raffle_id, timezone.now()).values_list(
                    "code", flat=True
                )
            )
            if len(held) >= MAX_UNCONFIRMED_PER_RAFFLE:
                raise UnconfirmedOrderExists(held)
        wanted = list(numbers)
        if wanted:
            return reserve_specific(raffle_id, wanted, buyer, by=by)
        return reserve_random(raffle_id, qty, buyer, by=by)
