"""The end of a hold: releasing an order's numbers, expiring holds that ran out, and the
reminder some minutes before."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.db.retry import retry_on_conflict
from raffles import signals
from raffles.models import Order, TicketNumber
from raffles.services.events import log_event
from raffles.services.reservations.rules import AVAILABLE, RESERVED


def release_order_reservations(order: Order) -> int:
    """Free every number this order still holds (not sold ones). Returns how many."""
    return (
        TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED)
        .order_by()
        .update(status=AVAILABLE, reserved_by_order=None, reserved_until=None)
    )


def expire_reservations(
    now: datetime | None = None, *, ended_before: datetime | None = None
) -> int:
    """Mark orders whose hold ran out (and that sent no proof) EXPIRED, free their numbers
    and record the event, each exactly once (a conditional UPDATE on the order's status), so
    concurrent or late runs of the scheduled job are harmless. Returns how many expired.

    `ended_before` (at most `now`) limits it to holds that ended before then: after a restore,
    those that ended before the backup was taken (raffles.services.restore)."""
    now = now or timezone.now()
    ended_before = min(ended_before or now, now)
    due = list(
        Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            expires_at__lt=ended_before,
        )
        .order_by("expires_at")
        .values_list("pk", flat=True)[:5000]
    )
    expire = retry_on_conflict(expire_order)
    return sum(expire(pk, now) for pk in due)


def expire_order(pk: int, now: datetime) -> int:
    """Expire one order whose hold ran out and that sent no proof: 1 if this call did it."""
    with transaction.atomic():
        won = Order.objects.filter(
            pk=pk,
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            expires_at__lt=now,
        ).update(status=Order.Status.EXPIRED, closed_at=now, updated_at=now)
        if not won:
            return 0
        order = Order.objects.select_related("raffle", "buyer").get(pk=pk)
        released = release_order_reservations(order)
        log_event(kind="expired", order=order, released=released)
        signals.order_expired.send(sender=Order, order=order)
    return 1


def send_expiry_reminders(now: datetime | None = None) -> int:
    """Signal `order_expiring_soon` once per order, some minutes before its hold ends
    (settings.RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY), when no proof was sent."""
    now = now or timezone.now()
    minutes = settings.RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY
    if minutes <= 0:
        return 0
    due = list(
        Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
            reminder_sent_at__isnull=True,
            expires_at__gte=now,
            expires_at__lte=now + timedelta(minutes=minutes),
        ).values_list("pk", flat=True)[:5000]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            if (
                not Order.objects.awaiting_proof()
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .update(reminder_sent_at=now)
            ):
                continue
            order = Order.objects.select_related("raffle", "buyer").get(pk=pk)
            log_event(kind="reminder", order=order)
            signals.order_expiring_soon.send(sender=Order, order=order)
            sent += 1
    return sent
