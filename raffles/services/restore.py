"""After a database restore: the orders whose fate may have changed after the backup.

A restored database forgets everything that happened after its backup was taken. A buyer
whose hold was still running then may have paid and sent the proof afterwards, and staff may
have confirmed it: in the restored data that order is still waiting for payment, its hold
runs out, and its numbers would go back on sale. `keep_holds_live_at` holds those numbers for
a while longer so that staff can check each order against the bank and the buyer's receipt;
`orders_to_recheck` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from raffles.audit import EventKind
from raffles.models import Order, OrderEvent, OrderTicket, TicketNumber
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

HOLD_KEPT = EventKind.HOLD_KEPT_AFTER_RESTORE


def orders_to_recheck(backup_time: datetime) -> QuerySet[Order]:
    """Orders that may have been paid after the backup: waiting for payment with a hold
    still running at the backup's time, or with a proof waiting for review."""
    return (
        Order.objects.holding(backup_time)
        .select_related("raffle", "buyer")
        .order_by("raffle_id", "created_at", "id")
    )


def holds_to_keep(backup_time: datetime, until: datetime) -> QuerySet[Order]:
    """Holds running at the backup's time that end before `until` and were not kept yet
    for this restore (so a second run changes nothing)."""
    kept = OrderEvent.objects.filter(kind=HOLD_KEPT, created_at__gte=backup_time)
    return (
        Order.objects.hold_ran_out(until)
        .filter(expires_at__gte=backup_time)
        .exclude(pk__in=kept.values("order_id"))
        .order_by("id")
    )


def keep_holds_live_at(
    backup_time: datetime, until: datetime, *, by: ActorLike = None
) -> list[Order]:
    """Move the end of every hold running at `backup_time` to `until` (when it ends
    earlier), on the order and on the numbers it still holds, with an event each."""
    kept = []
    for pk in list(holds_to_keep(backup_time, until).values_list("pk", flat=True)):
        order = _keep_hold(pk, backup_time, until, by)
        if order is not None:
            kept.append(order)
    return kept


def _keep_hold(pk: int, backup_time: datetime, until: datetime, by: ActorLike) -> Order | None:
    with transaction.atomic():
        previous = (
            Order.objects.filter(pk=pk)
            .waiting_payment()
            .values_list("expires_at", flat=True)
            .first()
        )
        won = (
            Order.objects.filter(pk=pk, expires_at__gte=backup_time)
            .hold_ran_out(until)
            .update(expires_at=until, reminder_sent_at=None)
        )
        if not won:
            return None
        held = (
            TicketNumber.objects.filter(
                reserved_by_order_id=pk, status=TicketNumber.Status.RESERVED
            )
            .order_by()
            .update(reserved_until=until)
        )
        order = Order.objects.select_related("raffle", "buyer").get(pk=pk)
        log_event(
            kind=HOLD_KEPT,
            by=by,
            order=order,
            previous_end=previous.isoformat() if previous else None,
            new_end=until.isoformat(),
            numbers_held=held,
        )
    return order


def numbers_of(orders: Iterable[Order]) -> dict[int, list[int]]:
    """Order id -> its numbers, in one query."""
    found: dict[int, list[int]] = {}
    ids = [order.pk for order in orders]
    rows = OrderTicket.objects.filter(order_id__in=ids)
    for order_id, number in rows.order_by("order_id", "number").values_list("order_id", "number"):
        found.setdefault(order_id, []).append(number)
    return found
