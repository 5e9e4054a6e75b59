"""`manage.py reconcile_after_restore`: bring a restored database back in line with the world.

Everything after the backup is gone from the data, not from the world: messages were sent,
holds ran out, buyers paid. In order:

1. Outbound messages still queued (or being sent) that were queued before the cut-off (the
   backup's time, or `stale_after` ago if that is earlier) are closed as UNDELIVERABLE with
   the reason "stale after restore": never sent twice, never an old answer to a new question.
2. Holds that had run out before the backup are expired by the normal service: the numbers
   go back on sale and the buyer gets the usual "your reservation expired" message.
3. Holds still running at the backup's time may have been paid after it: they are kept until
   now + `keep_holds` (the numbers stay off sale) for staff to check against the bank.
4. The report lists every order to re-check: those holds and the proofs waiting for review.

Nothing is paused (no raffle, no bot). Each step is idempotent; with dry_run nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.channel.restore import drop_stale_outbound, stale_outbound
from messaging.models import InboundMessage, OutboundMessage
from raffles import services
from raffles.models import Order, OrderEvent
from raffles.services import Actor
from raffles.services import restore as raffles_restore

ACTOR = Actor.system("reconcile_after_restore")


@dataclass(frozen=True)
class Recheck:
    order: Order
    numbers: list[int]
    why: str


@dataclass
class Report:
    backup_time: datetime
    message_cutoff: datetime
    keep_until: datetime | None
    dry_run: bool
    stale_messages: int = 0
    expired_orders: int = 0
    kept_holds: int = 0
    recheck: list[Recheck] = field(default_factory=list)


def latest_activity() -> datetime | None:
    """The last write the restored data remembers: the backup was taken after it."""
    moments = [
        OrderEvent.objects.aggregate(at=Max("created_at"))["at"],
        Order.objects.aggregate(at=Max("updated_at"))["at"],
        InboundMessage.objects.aggregate(at=Max("received_at"))["at"],
        OutboundMessage.objects.aggregate(at=Max("created_at"))["at"],
    ]
    found = [moment for moment in moments if moment is not None]
    return max(found) if found else None


def reconcile(
    *,
    backup_time: datetime,
    stale_after: timedelta,
    keep_holds: timedelta,
    dry_run: bool,
    now: datetime | None = None,
) -> Report:
    now = now or timezone.now()
    cutoff = min(backup_time, now - stale_after)
    keep_until = now + keep_holds if keep_holds > timedelta(0) else None
    report = Report(backup_time, cutoff, keep_until, dry_run)
    if dry_run:
        report.stale_messages = stale_outbound(cutoff).count()
        report.expired_orders = Order.objects.hold_ran_out(min(backup_time, now)).count()
        if keep_until is not None:
            report.kept_holds = raffles_restore.holds_to_keep(backup_time, keep_until).count()
    else:
        report.stale_messages = drop_stale_outbound(cutoff, now=now)
        report.expired_orders = services.expire_reservations(now, ended_before=backup_time)
        if keep_until is not None:
            kept = raffles_restore.keep_holds_live_at(backup_time, keep_until, by=ACTOR)
            report.kept_holds = len(kept)
    orders = list(raffles_restore.orders_to_recheck(backup_time))
    numbers = raffles_restore.numbers_of(orders)
    for order in orders:
        why = (
            _("proof waiting for review")
            if order.proof_received_at
            else _("hold running at the backup's time")
        )
        report.recheck.append(Recheck(order, numbers.get(order.pk, []), why))
    return report
