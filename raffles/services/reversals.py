"""Refunds and reversals, one home: cancel a paid order (its numbers released, or kept out of
sale), undo a payment confirmation within `settings.PAYMENT_UNDO_MINUTES`, record a refund.
Each leaves an audit row (`EventKind.CANCELLED` with `was_paid`, `PAYMENT_UNDONE`,
`REFUNDED`). Orders left out of a draw are cancelled by `draws.freeze_entries` through
`cancel_excluded_order`."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from config.db.retry import retry_on_conflict
from raffles import signals
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput, InvalidOrderState
from raffles.models import Order, PaymentProof, Refund, TicketNumber
from raffles.services.actors import ActorLike, as_actor
from raffles.services.draws import ensure_payments_open
from raffles.services.events import log_event
from raffles.services.orders import MAX_REASON, _fresh
from raffles.services.reservations import release_order_reservations

EXCLUDED_FROM_DRAW = "Excluded from the draw: the payment was not confirmed in time"


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the order is cancelled", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason can have at most {MAX_REASON} characters", field="reason")
    return reason


def _release_sold(order: Order) -> int:
    return (
        TicketNumber.objects.filter(reserved_by_order=order)
        .order_by()
        .update(status=TicketNumber.Status.AVAILABLE, reserved_by_order=None, reserved_until=None)
    )


@retry_on_conflict
def cancel_paid_order(
    order: Order, *, reason: str, release_numbers: bool, by: ActorLike = None
) -> Order:
    """Cancel a PAID order. `release_numbers`: its numbers are for sale again; otherwise they
    stay out of sale (still shown sold, in no order that takes part in the draw). Refused
    once the draw's entries are frozen. Money given back is recorded apart (`record_refund`)."""
    reason = _reason(reason)
    now = timezone.now()
    with transaction.atomic():
        order = _fresh(order, lock=True)
        if not order.is_paid:
            raise InvalidOrderState("cancel as paid", order.get_status_display().lower())
        ensure_payments_open(order)
        released = _release_sold(order) if release_numbers else 0
        Order.objects.filter(pk=order.pk).update(
            status=Order.Status.CANCELLED, closed_at=now, updated_at=now, closed_reason=reason
        )
        order = _fresh(order)
        log_event(
            kind=EventKind.CANCELLED,
            by=by,
            order=order,
            reason=reason,
            was_paid=True,
            released=released,
            numbers_kept=not release_numbers,
        )
        signals.order_cancelled.send(sender=Order, order=order, by_buyer=False)
    return order


def cancel_excluded_order(order: Order, *, by: ActorLike = None) -> None:
    """Inside `freeze_entries`: an order that could still have been paid is left out of the
    draw; it is cancelled with the reason and its numbers freed."""
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.CANCELLED,
        closed_at=now,
        updated_at=now,
        closed_reason=EXCLUDED_FROM_DRAW,
    )
    released = release_order_reservations(order)
    order.status, order.closed_reason = Order.Status.CANCELLED, EXCLUDED_FROM_DRAW
    PaymentProof.objects.filter(order=order, review=PaymentProof.Review.PENDING).update(
        review=PaymentProof.Review.REJECTED,
        reviewed_at=now,
        rejection_reason=EXCLUDED_FROM_DRAW,
    )
    log_event(
        kind=EventKind.CANCELLED,
        by=by,
        order=order,
        reason=EXCLUDED_FROM_DRAW,
        excluded_from_draw=True,
        released=released,
    )
    signals.order_cancelled.send(sender=Order, order=order, by_buyer=False)


def undo_window() -> timedelta:
    return timedelta(minutes=settings.PAYMENT_UNDO_MINUTES)


def can_undo_confirmation(order: Order, now: datetime | None = None) -> bool:
    """PAID, confirmed less than PAYMENT_UNDO_MINUTES ago."""
    now = now or timezone.now()
    return bool(order.is_paid and order.paid_at and now - order.paid_at <= undo_window())


@retry_on_conflict
def undo_confirmation(order: Order, *, by: ActorLike = None) -> Order:
    """Undo a payment confirmed less than PAYMENT_UNDO_MINUTES ago: the order awaits review
    again (its proofs back in the queue, its numbers held without an end while they are; an
    order confirmed without a proof gets a fresh hold of the raffle's reservation time)."""
    now = timezone.now()
    with transaction.atomic():
        order = _fresh(order, lock=True)
        if not order.is_paid:
            raise InvalidOrderState("undo the payment of", order.get_status_display().lower())
        if not can_undo_confirmation(order, now):
            minutes = settings.PAYMENT_UNDO_MINUTES
            raise InvalidOrderState(
                "undo the payment of", f"confirmed more than {minutes} minutes ago"
            )
        ensure_payments_open(order)
        reviewed = PaymentProof.objects.filter(
            order=order, review=PaymentProof.Review.CONFIRMED, reviewed_at__gte=order.paid_at
        )
        last_proof = reviewed.order_by("-received_at").values_list("received_at", flat=True)
        proof_at = last_proof.first()
        reviewed.update(review=PaymentProof.Review.PENDING, reviewed_at=None, reviewed_by=None)
        until = None if proof_at else now + timedelta(minutes=order.raffle.reservation_minutes)
        TicketNumber.objects.filter(reserved_by_order=order).order_by().update(
            status=TicketNumber.Status.RESERVED, reserved_until=until
        )
        Order.objects.filter(pk=order.pk).update(
            status=Order.Status.PENDING_PAYMENT,
            paid_at=None,
            confirmed_by=None,
            proof_received_at=proof_at,
            expires_at=until or order.expires_at,
            updated_at=now,
        )
        order = _fresh(order)
        log_event(kind=EventKind.PAYMENT_UNDONE, by=by, order=order)
    return order


def refund_left(order: Order) -> Decimal:
    """What may still be refunded: the amount paid less refunds, for an order that was paid
    (PAID, or cancelled after being paid); zero for any other."""
    if not (order.is_paid or (order.is_cancelled and order.paid_at is not None)):
        return Decimal("0.00")
    return max(order.total_amount - refunded_amount(order), Decimal("0.00"))


def refunded_amount(order: Order) -> Decimal:
    total = Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


@retry_on_conflict
def record_refund(
    order: Order, *, amount: Decimal | str, method: str, note: str = "", by: ActorLike = None
) -> Refund:
    """Record money given back for an order that was paid (PAID, or cancelled after being
    paid): more than zero, at most what was paid less earlier refunds."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("The amount must be a number", field="amount") from None
    if method not in Refund.Method.values:
        raise InvalidInput("Choose cash, transfer or other", field="method")
    note = (note or "").strip()
    if len(note) > MAX_REASON:
        raise InvalidInput(f"The note can have at most {MAX_REASON} characters", field="note")
    with transaction.atomic():
        order = _fresh(order, lock=True)
        if not (order.is_paid or (order.is_cancelled and order.paid_at is not None)):
            raise InvalidOrderState("refund", order.get_status_display().lower())
        left = refund_left(order)
        if not value.is_finite() or value <= 0 or value > left:
            raise InvalidInput(
                f"The amount must be more than 0 and at most {left} (paid, less refunds)",
                field="amount",
            )
        actor = as_actor(by)
        refund = Refund.objects.create(
            order=order,
            amount=value,
            method=method,
            note=note,
            created_by_id=getattr(actor.user, "pk", None),
            actor_label=actor.label,
        )
        log_event(
            kind=EventKind.REFUNDED,
            by=by,
            order=order,
            amount=str(value),
            method=method,
            note=note,
            refund=refund.pk,
        )
    return refund
