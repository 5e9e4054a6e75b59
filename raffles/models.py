"""The raffle domain: raffles, ticket numbers, buyers, orders, payment proofs, audit events.

Nothing here knows about WhatsApp, the portal or the API. Writes go through
`raffles.services`; reads shared by several callers live in `raffles.selectors`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raffles.audit import EventKind
from raffles.pricing_models import OrderPricing, RafflePricing
from raffles.rules import (
    OrderQuerySet,
    OrderRules,
    OrderStatus,
    RaffleQuerySet,
    TicketNumberQuerySet,
    TicketRules,
    TicketStatus,
)

MAX_RANGE_SIZE = 1_000_000
# Ticket statuses that hold no order: free, or kept out of sale.
UNHELD_STATUSES = ("AVAILABLE", "BLOCKED")
ORDER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
ORDER_CODE_LENGTH = 6


def new_public_id() -> str:
    return secrets.token_urlsafe(9)


def new_order_code() -> str:
    # 32 letters, so each random byte's low 5 bits pick one uniformly; one system call.
    return "".join(ORDER_CODE_ALPHABET[b & 31] for b in secrets.token_bytes(ORDER_CODE_LENGTH))


class Buyer(models.Model):
    """A person who buys tickets. Channels (WhatsApp contacts) point here.

    The phone number is optional: a buyer who reached us through a channel that does not
    share it (a messaging app's username) has none. When set, it is unique."""

    phone = models.CharField(_("phone (E.164)"), max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # True once a channel (another app's way to reach this buyer) points here; set through
    # `services.mark_has_channel`, never cleared. Whoever tells buyers about their orders
    # can skip looking for a channel while it is False: most reservations made for buyers
    # outside a chat (the API, the portal) then cost no extra read.
    has_channel = models.BooleanField(default=False, editable=False)
    # True once the buyer came through a seller's link or code (`services.sellers`), never
    # cleared: a new order looks for the seller to credit only then, so the reservation of
    # every other buyer costs no extra read.
    has_seller = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name or 'Buyer'} ({self.label})"

    @property
    def label(self) -> str:
        """How staff and audit rows name this buyer: the phone number, else the buyer number."""
        return self.phone or f"#{self.pk}"


def prize_photo_upload_to(instance: Raffle, filename: str) -> str:
    return f"prize-photos/{instance.public_id}/{filename}"


class Raffle(RafflePricing, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        DRAWN = "drawn", _("Drawn")

    class Generation(models.TextChoices):
        NONE = "none", _("Not generated")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Generated")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    # A short name staff choose for the public page (/r/<slug>/); empty: only the public id.
    slug = models.SlugField(_("short link name"), max_length=50, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    prize = models.CharField(_("prize"), max_length=300, blank=True)
    ticket_price = models.DecimalField(
        _("ticket price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, default="USD")
    min_number = models.PositiveIntegerField(_("first number"), default=0)
    max_number = models.PositiveIntegerField(_("last number"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reservation_minutes = models.PositiveIntegerField(
        _("reservation time (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    max_tickets_per_order = models.PositiveIntegerField(
        _("maximum tickets per order"), default=10, validators=[MinValueValidator(1)]
    )
    max_tickets_per_buyer = models.PositiveIntegerField(
        _("maximum tickets per buyer"), null=True, blank=True
    )
    sales_close_at = models.DateTimeField(_("sales close at"), null=True, blank=True)
    draw_at = models.DateTimeField(_("draw date"), null=True, blank=True)
    payment_instructions = models.TextField(_("payment instructions"), blank=True)
    # A photo of the prize, kept privately (shown to buyers through their channel, never
    # served by URL); set through `services.set_prize_photo`, which checks type and size.
    prize_photo = models.ImageField(
        _("prize photo"), upload_to=prize_photo_upload_to, max_length=300, blank=True
    )
    # Days winners have to claim after the draw; empty: settings.CLAIM_DAYS.
    claim_days = models.PositiveIntegerField(_("days to claim a prize"), null=True, blank=True)
    rules = models.TextField(_("rules"), blank=True)

    generation_status = models.CharField(
        max_length=10, choices=Generation.choices, default=Generation.NONE
    )
    generated_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set: hidden from lists and the bot, kept for the records (`raffles.rules`).
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = RaffleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_number__gte=F("min_number")), name="raffle_range_ordered"
            ),
            models.CheckConstraint(
                condition=Q(max_number__lt=F("min_number") + MAX_RANGE_SIZE),
                name="raffle_range_at_most_one_million",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def size(self) -> int:
        return self.max_number - self.min_number + 1

    @property
    def number_width(self) -> int:
        return len(str(self.max_number))

    def format_number(self, number: int) -> str:
        return str(number).zfill(self.number_width)

    @property
    def is_active(self) -> bool:
        """Selling now: active, numbers generated, and before the sales close time."""
        if self.status != self.Status.ACTIVE or self.generation_status != self.Generation.DONE:
            return False
        return self.sales_close_at is None or timezone.now() < self.sales_close_at

    @property
    def range_is_locked(self) -> bool:
        """The number range can no longer change once numbers exist (or are being made)."""
        return self.generation_status != self.Generation.NONE

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_editable(self) -> bool:
        """Closed, drawn and archived raffles are frozen."""
        return not self.is_archived and self.status not in (self.Status.CLOSED, self.Status.DRAWN)


class TicketNumber(TicketRules, models.Model):
    """One number of a raffle. Its rules (claimable, lapsed, effective status) live in
    `raffles.rules`."""

    Status = TicketStatus

    # Indexes: (raffle, number) unique and (raffle, status, number) lead with the raffle, so
    # the foreign keys get no index of their own; an order's numbers use a partial index (most
    # of a raffle's rows hold no order, and a reservation then writes one index page, not two).
    raffle = models.ForeignKey(
        Raffle, on_delete=models.CASCADE, related_name="tickets", db_index=False
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    reserved_by_order = models.ForeignKey(
        "Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_tickets",
        db_index=False,
    )
    # NULL while RESERVED means "held without expiry" (a payment proof is under review).
    reserved_until = models.DateTimeField(null=True, blank=True)

    objects = TicketNumberQuerySet.as_manager()

    class Meta:
        ordering = ["raffle_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["raffle", "number"], name="ticket_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=UNHELD_STATUSES, reserved_by_order__isnull=True)
                | Q(~Q(status__in=UNHELD_STATUSES), reserved_by_order__isnull=False),
                name="ticket_order_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["raffle", "status", "number"], name="ticket_status_idx"),
            models.Index(
                fields=["reserved_by_order"],
                condition=Q(reserved_by_order__isnull=False),
                name="ticket_held_by_idx",
            ),
            # Holds by when they end: finding the ones past their time (offered as free) is
            # then a seek over those alone, not a walk over every live hold of the raffle.
            models.Index(
                fields=["raffle", "reserved_until"],
                condition=Q(status="RESERVED"),
                name="ticket_hold_ends_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.raffle_id}#{self.number} {self.status}"


class SaleMethod(models.TextChoices):
    """How a sale recorded by staff was paid."""

    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Transfer")
    OTHER = "other", _("Other")


class Order(OrderRules, OrderPricing, models.Model):
    """An order of numbers. Its rules (live, holding, accepts a proof, effective status)
    live in `raffles.rules`."""

    Status = OrderStatus

    code = models.CharField(max_length=12, unique=True, default=new_order_code)
    # No single-column indexes on the foreign keys: the (raffle, status) and (buyer, status)
    # indexes serve them, and each index is one more page every reservation writes.
    raffle = models.ForeignKey(
        Raffle, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    buyer = models.ForeignKey(
        Buyer, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    qty = models.PositiveIntegerField()
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    proof_received_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # cancelled or expired
    # Why staff cancelled it (a paid order, or one left out of the draw).
    closed_reason = models.CharField(max_length=500, blank=True, db_default="")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmed_orders",
        db_index=False,
    )
    # A sale recorded by staff (`services.sell_offline`): who sold it, how it was paid.
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sold_orders",
        db_index=False,
    )
    sale_method = models.CharField(
        _("payment method"), max_length=10, choices=SaleMethod.choices, blank=True, db_default=""
    )
    sale_note = models.CharField(_("note"), max_length=500, blank=True, db_default="")

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="order_status_expiry_idx"),
            models.Index(fields=["raffle", "status"], name="order_raffle_status_idx"),
            models.Index(fields=["buyer", "status"], name="order_buyer_status_idx"),
            models.Index(
                fields=["confirmed_by"],
                condition=Q(confirmed_by__isnull=False),
                name="order_confirmed_by_idx",
            ),
            models.Index(
                fields=["sold_by"],
                condition=Q(sold_by__isnull=False),
                name="order_sold_by_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def proof_received(self) -> bool:
        return self.proof_received_at is not None

    def numbers(self) -> list[int]:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("order_tickets")
        if prefetched is not None:  # read with the order (a batch): no query
            return sorted(t.number for t in prefetched)
        return sorted(self.order_tickets.values_list("number", flat=True))

    def formatted_numbers(self) -> list[str]:
        return [self.raffle.format_number(n) for n in self.numbers()]


class Refund(models.Model):
    """Money given back for an order (`raffles.services.reversals.record_refund`): at most
    what was paid, in one or more refunds."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        TRANSFER = "transfer", _("Transfer")
        OTHER = "other", _("Other")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    method = models.CharField(max_length=10, choices=Method.choices)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount} ({self.method})"


class OrderTicket(models.Model):
    """Which numbers an order held (kept after release, for history and receipts)."""

    order = models.ForeignKey(  # indexed by the unique (order, number)
        Order, on_delete=models.CASCADE, related_name="order_tickets", db_index=False
    )
    number = models.PositiveIntegerField()

    class Meta:
        ordering = ["order_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="orderticket_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.number}"


def proof_upload_to(instance: PaymentProof, filename: str) -> str:
    return f"proofs/{instance.order.raffle_id}/{instance.order.code}/{filename}"


class PaymentProof(models.Model):
    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to=proof_upload_to, max_length=300)
    mime_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    source_media_id = models.CharField(max_length=128, blank=True, db_index=True)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # What a PDF proof says beside what the order expects (`raffles.payments.proof_hints`).
    hints = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["review", "received_at"], name="proof_queue_idx")]

    def __str__(self) -> str:
        return f"Proof {self.pk} for {self.order_id}"

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of_id is not None


class OrderEvent(models.Model):
    """Audit log: every state change of an order and every staff action. Kinds and the row
    shape: `raffles.audit`; rows are made by `raffles.services.events.build_event`."""

    class Actor(models.TextChoices):
        STAFF = "staff", _("Staff")
        BUYER = "buyer", _("Buyer")
        SYSTEM = "system", _("System")
        API = "api", _("API")

    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    raffle = models.ForeignKey(
        Raffle, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    actor_type = models.CharField(max_length=10, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["actor_user"],
                condition=Q(actor_user__isnull=False),
                name="event_actor_user_idx",
            ),
            # The staff audit log: staff and API actions, newest first (keyset pages).
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(actor_type__in=["staff", "api"]),
                name="event_staff_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_type}"


# Models of their own module, registered with the app here (one import point for callers).
from raffles.claim_models import ClaimStatus as ClaimStatus  # noqa: E402
from raffles.claim_models import WinnerClaim as WinnerClaim  # noqa: E402
from raffles.draw_models import Draw as Draw  # noqa: E402
from raffles.draw_models import EarlyDraw as EarlyDraw  # noqa: E402
from raffles.payment_link_models import CheckoutLink as CheckoutLink  # noqa: E402
from raffles.payment_link_models import LinkFlag as LinkFlag  # noqa: E402
from raffles.payment_link_models import LinkPayment as LinkPayment  # noqa: E402
from raffles.payment_link_models import PaymentNotification as PaymentNotification  # noqa: E402
from raffles.payment_models import PaymentMethod as PaymentMethod  # noqa: E402
from raffles.payment_models import PaymentSetup as PaymentSetup  # noqa: E402
from raffles.payment_models import StatementMatching as StatementMatching  # noqa: E402
from raffles.pricing_models import Coupon as Coupon  # noqa: E402
from raffles.seller_models import OrderAttribution as OrderAttribution  # noqa: E402
from raffles.seller_models import Seller as Seller  # noqa: E402
from raffles.seller_models import SellerCommission as SellerCommission  # noqa: E402
from raffles.seller_models import SellerReferral as SellerReferral  # noqa: E402
from raffles.statement_models import LineState as LineState  # noqa: E402
from raffles.statement_models import StatementImport as StatementImport  # noqa: E402
from raffles.statement_models import StatementLine as StatementLine  # noqa: E402
from raffles.statement_models import StatementMapping as StatementMapping  # noqa: E402
