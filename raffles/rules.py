"""The domain's rules about numbers and orders, each written once.

The models (`raffles.models`) take their statuses, querysets and rule methods from here;
every caller (services, selectors, the API, the portal, the bot's snapshots) asks these, and
never compares statuses itself.

Numbers (`TicketNumber`):

- *lapsed*: RESERVED with a hold end (`reserved_until`) in the past. A NULL end means the
  hold has none (a payment proof is under review);
- *claimable*: AVAILABLE, or lapsed: a new order may take it, even before the expiry job
  frees it. A BLOCKED number (kept out of sale by staff) is never claimable
  (`claimable_q`, `objects.claimable(now)`, `ticket.is_claimable(now)`, and
  `CLAIMABLE_SQL` for hand-written SQL);
- *effective status*: what a person sees: a lapsed hold shows as AVAILABLE.

Orders (`Order`, and any snapshot of one with `status`, `expires_at`, `proof_received`):

- *live*: DRAFT or PENDING_PAYMENT: it may still be cancelled;
- *waiting for payment*: PENDING_PAYMENT (`objects.waiting_payment()`, and
  `WAITING_PAYMENT_SQL` for hand-written SQL);
- *final*: PAID or CANCELLED: nothing more can happen to it (an EXPIRED order may still be
  paid late, if its numbers are free);
- *accepts a proof*: PENDING_PAYMENT or EXPIRED (a late payment staff may accept);
- *hold ran out*: PENDING_PAYMENT, no proof sent, and the hold's end is past (the expiry job
  may not have run yet);
- *holding* (a live hold): PENDING_PAYMENT and the hold has not run out: its end is not
  past, or it has none (open-ended while a proof waits for review);
- *effective status*: the status, except that a hold that ran out shows as EXPIRED;
- *unconfirmed*: holding, payment not yet confirmed by staff (a proof may be under review). A
  buyer has at most `MAX_UNCONFIRMED_PER_RAFFLE` of them per raffle unless she explicitly adds
  one (`services.reserve_replacing(adding=True)`).

Raffles (`Raffle`):

- *archived*: `archived_at` set: hidden from the lists, the bot and the public board's
  listings, kept with its orders for the records (`objects.listed()`, `objects.archived()`,
  `raffle.is_archived`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Named in the querysets' bases as strings (the models import this module), which ruff
    # does not read as uses.
    from raffles.models import Order, Raffle, TicketNumber  # noqa: F401


class TicketStatus(models.TextChoices):
    AVAILABLE = "AVAILABLE", _("Available")
    RESERVED = "RESERVED", _("Reserved")
    SOLD = "SOLD", _("Sold")
    # Kept out of sale by staff (a prize for a sponsor): never claimable, holds no order.
    BLOCKED = "BLOCKED", _("Blocked")


class OrderStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PENDING_PAYMENT = "PENDING_PAYMENT", _("Pending payment")
    PAID = "PAID", _("Paid")
    CANCELLED = "CANCELLED", _("Cancelled")
    EXPIRED = "EXPIRED", _("Expired")


# --- Numbers ----------------------------------------------------------------------------------

# "Claimable" as hand-written SQL must say it, on the ticket table's columns (`{now}`: the
# placeholder for the current time). The same condition as `claimable_q`; a test runs both
# on the same rows.
CLAIMABLE_SQL = (
    f"(status = '{TicketStatus.AVAILABLE.value}'"
    f" OR (status = '{TicketStatus.RESERVED.value}' AND reserved_until < {{now}}))"
)


# "Waiting for payment" as hand-written SQL must say it, on the order table's columns. The
# same condition as `OrderQuerySet.waiting_payment`; a test runs both on the same rows.
WAITING_PAYMENT_SQL = f"status = '{OrderStatus.PENDING_PAYMENT.value}'"


def lapsed_q(now: datetime) -> Q:
    return Q(status=TicketStatus.RESERVED, reserved_until__lt=now)


def claimable_q(now: datetime) -> Q:
    """Free, or held by a hold whose time has passed (`CLAIMABLE_SQL` in SQL)."""
    return Q(status=TicketStatus.AVAILABLE) | lapsed_q(now)


def showing_as_q(status: str, now: datetime) -> Q:
    """Numbers whose effective status is `status`."""
    return {
        TicketStatus.AVAILABLE: claimable_q(now),
        TicketStatus.RESERVED: Q(status=TicketStatus.RESERVED) & ~lapsed_q(now),
        TicketStatus.SOLD: Q(status=TicketStatus.SOLD),
        TicketStatus.BLOCKED: Q(status=TicketStatus.BLOCKED),
    }[TicketStatus(status)]


class TicketNumberQuerySet(models.QuerySet["TicketNumber"]):
    def claimable(self, now: datetime) -> Self:
        return self.filter(claimable_q(now))

    def lapsed(self, now: datetime) -> Self:
        return self.filter(lapsed_q(now))

    def showing_as(self, status: str, now: datetime) -> Self:
        return self.filter(showing_as_q(status, now))


class TicketRules:
    """The rules on one number (mixed into `TicketNumber`)."""

    status: str
    reserved_until: datetime | None

    claimable_q = staticmethod(claimable_q)
    lapsed_q = staticmethod(lapsed_q)

    def is_lapsed(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == TicketStatus.RESERVED
            and self.reserved_until is not None
            and self.reserved_until < now
        )

    def is_claimable(self, now: datetime | None = None) -> bool:
        return self.status == TicketStatus.AVAILABLE or self.is_lapsed(now)

    def effective_status(self, now: datetime | None = None) -> str:
        """The status a person should see: a hold past its time shows as available."""
        return TicketStatus.AVAILABLE if self.is_lapsed(now) else self.status


# --- Orders -----------------------------------------------------------------------------------

LIVE_STATUSES = (OrderStatus.DRAFT, OrderStatus.PENDING_PAYMENT)
FINAL_STATUSES = (OrderStatus.PAID, OrderStatus.CANCELLED)
PROOF_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED)
MAX_UNCONFIRMED_PER_RAFFLE = 1


def holding_q(now: datetime) -> Q:
    """Orders whose hold is live at `now` (`OrderRules.is_holding`)."""
    return Q(status=OrderStatus.PENDING_PAYMENT) & (
        Q(proof_received_at__isnull=False) | Q(expires_at__isnull=True) | Q(expires_at__gte=now)
    )


def hold_ran_out_q(before: datetime) -> Q:
    """Orders whose hold ran out before `before` (`OrderRules.hold_ran_out`)."""
    return Q(
        status=OrderStatus.PENDING_PAYMENT,
        proof_received_at__isnull=True,
        expires_at__lt=before,
    )


# --- Raffles ---------------------------------------------------------------------------------


class RaffleQuerySet(models.QuerySet["Raffle"]):
    def listed(self) -> Self:
        """Not archived: what lists, the bot and buyers see."""
        return self.filter(archived_at__isnull=True)

    def archived(self) -> Self:
        return self.filter(archived_at__isnull=False)


# --- Orders -----------------------------------------------------------------------------------


class OrderQuerySet(models.QuerySet["Order"]):
    def live(self) -> Self:
        return self.filter(status__in=LIVE_STATUSES)

    def waiting_payment(self) -> Self:
        return self.filter(status=OrderStatus.PENDING_PAYMENT)

    def awaiting_proof(self) -> Self:
        """Waiting for payment and no proof sent yet: the buyer may still be asked for one."""
        return self.filter(status=OrderStatus.PENDING_PAYMENT, proof_received_at__isnull=True)

    def accepting_proof(self) -> Self:
        return self.filter(status__in=PROOF_STATUSES)

    def holding(self, now: datetime) -> Self:
        return self.filter(holding_q(now))

    def hold_ran_out(self, before: datetime) -> Self:
        return self.filter(hold_ran_out_q(before))

    def unconfirmed(self, now: datetime) -> Self:
        """Holding their numbers, payment not confirmed yet (`OrderRules.is_unconfirmed`)."""
        return self.holding(now)

    def taking_numbers(self, now: datetime) -> Self:
        """Orders that count toward a buyer's limit: paid, or holding their numbers."""
        return self.filter(Q(status=OrderStatus.PAID) | holding_q(now))


class OrderRules:
    """The rules on one order: mixed into `Order`, and into snapshots of an order (the bot's
    `OrderView`) that carry `status`, `expires_at` and `proof_received`."""

    LIVE_STATUSES = LIVE_STATUSES
    FINAL_STATUSES = FINAL_STATUSES
    PROOF_STATUSES = PROOF_STATUSES

    status: str
    expires_at: datetime | None

    if TYPE_CHECKING:
        # Read-only where it is computed (`Order`: from proof_received_at); a plain field on
        # a snapshot. Declared for the checker only: each class brings its own.
        @property
        def proof_received(self) -> bool: ...

    holding_q = staticmethod(holding_q)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_paid(self) -> bool:
        return self.status == OrderStatus.PAID

    @property
    def is_waiting_payment(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT

    @property
    def is_cancelled(self) -> bool:
        return self.status == OrderStatus.CANCELLED

    @property
    def is_expired(self) -> bool:
        """Expired by the expiry job (see `hold_expired` for a hold not yet expired)."""
        return self.status == OrderStatus.EXPIRED

    @property
    def accepts_proof(self) -> bool:
        return self.status in PROOF_STATUSES

    @property
    def hold_is_open_ended(self) -> bool:
        """A proof was sent: the hold no longer expires while staff review it."""
        return self.is_waiting_payment and self.proof_received

    def hold_ran_out(self, now: datetime) -> bool:
        return (
            self.is_waiting_payment
            and not self.proof_received
            and self.expires_at is not None
            and self.expires_at < now
        )

    def hold_expired(self, now: datetime) -> bool:
        """Expired, or its hold ran out (the expiry job may not have run yet)."""
        return self.effective_status(now) == OrderStatus.EXPIRED

    @property
    def can_be_replaced(self) -> bool:
        """Waiting for payment with no proof sent: a new reservation may cancel it first."""
        return self.is_waiting_payment and not self.proof_received

    def is_holding(self, now: datetime) -> bool:
        return self.is_waiting_payment and not self.hold_ran_out(now)

    def is_unconfirmed(self, now: datetime) -> bool:
        """Holding its numbers, payment not confirmed yet (`OrderQuerySet.unconfirmed`)."""
        return self.is_holding(now)

    def effective_status(self, now: datetime) -> str:
        return OrderStatus.EXPIRED if self.hold_ran_out(now) else self.status
