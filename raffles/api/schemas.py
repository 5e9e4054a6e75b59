"""Request and response schemas of the raffles router (raffles, numbers, orders)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from raffles.api.common import (
    CLEAN_TEXT,
    MAX_INT,
    NOT_BLANK,
    TO_WHOLE_NUMBER,
    DateTime,
    Id,
    text_field,
)
from raffles.api.proof_schemas import ProofHintsOut, proof_hints_out
from raffles.audit import shared_details
from raffles.models import Order, OrderEvent, PaymentProof, Refund, TicketNumber

# The models' choices, spelled out so that a type checker reads them; a test
# (raffles/tests/test_api_document.py) holds each to its model's `values`.
RaffleStatus = Literal["draft", "active", "closed", "drawn"]
GenerationStatus = Literal["none", "running", "done"]
TicketStatus = Literal["AVAILABLE", "RESERVED", "SOLD", "BLOCKED"]
SaleMethod = Literal["cash", "transfer", "other"]
OrderStatus = Literal["DRAFT", "PENDING_PAYMENT", "PAID", "CANCELLED", "EXPIRED"]
ProofReview = Literal["pending", "confirmed", "rejected"]
ActorType = Literal["staff", "buyer", "system", "api"]
RefundMethod = Literal["cash", "transfer", "other"]
CouponCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9]{1,32}$", description="Letters and digits, any case.")
]

PRICE_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"  # at most 9999999999.99
_PRICE_RE = re.compile(PRICE_PATTERN)
# A number up to this, rounded to cents, stays within the column (12 digits, 2 decimals).
MAX_PRICE = Decimal("9999999999.99")


def _price_input(value: Any) -> Any:
    """A JSON number, or a string of digits with up to two decimals (no sign, no exponent,
    no spaces): exactly what the document says."""
    if isinstance(value, bool) or (isinstance(value, str) and not _PRICE_RE.fullmatch(value)):
        raise ValueError("must be a number from 0 to 9999999999.99, e.g. 12.50")
    return value


Price = Annotated[
    Decimal,
    BeforeValidator(_price_input),
    Field(ge=0, le=MAX_PRICE),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(MAX_PRICE)},
                {"type": "string", "pattern": PRICE_PATTERN},
            ],
            "description": 'From 0 to 9999999999.99: 12.5 or "12.50" (numbers are rounded'
            " to cents).",
        }
    ),
]
# In JSON bodies whole numbers are strict (true or "5" are refused, 1.0 is 1); query
# strings are not.
Number = Annotated[int, Field(strict=True, ge=0, le=MAX_INT), TO_WHOLE_NUMBER]
NumberParam = Annotated[int, Field(ge=0, le=MAX_INT)]
Title = Annotated[str, text_field(max_length=200, blank=False), CLEAN_TEXT, NOT_BLANK]
# Three letters, any case (stored upper case); a pattern of its own, after the text checks.
Currency = Annotated[
    str,
    Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. USD (any case)."),
]
Minutes = Annotated[int, Field(strict=True, ge=1, le=7 * 24 * 60), TO_WHOLE_NUMBER]
Positive = Annotated[int, Field(strict=True, ge=1, le=MAX_INT), TO_WHOLE_NUMBER]
LongText = Annotated[str, text_field(max_length=10_000), CLEAN_TEXT]
Prize = Annotated[str, text_field(max_length=300), CLEAN_TEXT]
OrderCode = Annotated[str, text_field(max_length=12), CLEAN_TEXT]
MediaId = Annotated[str, text_field(max_length=128), CLEAN_TEXT]
Reason = Annotated[str, text_field(max_length=500, blank=False), CLEAN_TEXT, NOT_BLANK]
# [first, last], a pair; documented as an array of two integers.
Range = Annotated[
    tuple[int, int],
    WithJsonSchema({"items": {"type": "integer"}, "maxItems": 2, "minItems": 2, "type": "array"}),
]


# --- Raffles ----------------------------------------------------------------------------
class RaffleOut(Schema):
    id: int
    public_id: str
    title: str
    description: str
    prize: str
    ticket_price: Decimal
    currency: str
    min_number: int
    max_number: int
    size: int = Field(description="How many numbers the raffle has.")
    number_width: int = Field(description="Digits of a zero-padded number (e.g. 3: 007).")
    status: RaffleStatus
    is_active: bool = Field(description="Selling now: active, numbered and before close.")
    reservation_minutes: int
    max_tickets_per_order: int
    max_tickets_per_buyer: int | None
    sales_close_at: datetime | None
    draw_at: datetime | None
    payment_instructions: str
    generation_status: GenerationStatus
    generated_count: int
    created_at: datetime
    updated_at: datetime
    activated_at: datetime | None
    closed_at: datetime | None
    archived_at: datetime | None = Field(
        description="Set: archived (hidden from lists and the bot, kept for the records)."
    )


class RaffleCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title
    ticket_price: Price
    max_number: Number
    min_number: Number = 0
    currency: Currency = "USD"
    description: LongText = ""
    prize: Prize = ""
    reservation_minutes: Minutes = 30
    max_tickets_per_order: Positive = 10
    max_tickets_per_buyer: Positive | None = None
    sales_close_at: DateTime | None = None
    draw_at: DateTime | None = None
    payment_instructions: LongText = ""


class RafflePatch(Schema):
    """Only the fields sent are changed. The number range cannot change once numbered."""

    model_config = ConfigDict(extra="forbid")

    # Not nullable: `null` is refused; leave a field out to keep it. None only marks a field
    # left out: pydantic never validates it and the view drops it (exclude_unset), so the type
    # stays the value's; the type checker, which sees None against it, is told so per line.
    title: Title = None  # type: ignore[assignment]  # unset marker
    ticket_price: Price = None  # type: ignore[assignment]  # unset marker
    max_number: Number = None  # type: ignore[assignment]  # unset marker
    min_number: Number = None  # type: ignore[assignment]  # unset marker
    currency: Currency = None  # type: ignore[assignment]  # unset marker
    description: LongText = None  # type: ignore[assignment]  # unset marker
    prize: Prize = None  # type: ignore[assignment]  # unset marker
    reservation_minutes: Minutes = None  # type: ignore[assignment]  # unset marker
    max_tickets_per_order: Positive = None  # type: ignore[assignment]  # unset marker
    # Nullable: `null` clears them.
    max_tickets_per_buyer: Positive | None = None
    sales_close_at: DateTime | None = None
    draw_at: DateTime | None = None
    payment_instructions: LongText = None  # type: ignore[assignment]  # unset marker


class RaffleFilters(Schema):
    is_active: bool | None = Field(
        None, description="true: raffles selling now; false: all the others."
    )
    status: RaffleStatus | None = None
    archived: bool = Field(False, description="true: the archived raffles instead of the others.")


class GenerationOut(Schema):
    ready: bool = Field(description="true: numbers exist now; false: a background task runs.")
    raffle: RaffleOut


class AvailabilityOut(Schema):
    raffle_id: int
    min_number: int
    max_number: int
    number_width: int
    generation_status: GenerationStatus
    total: int
    available: int = Field(description="Free now (a hold past its time counts as free).")
    reserved: int
    sold: int
    available_ranges: list[Range] = Field(
        description="Free numbers as [first, last] ranges, ascending: [[0, 41], [43, 99]]."
    )
    as_of: datetime


class TicketOut(Schema):
    number: int
    formatted: str = Field(description="Zero-padded to the raffle's width.")
    status: TicketStatus = Field(description="A hold past its time shows as AVAILABLE.")
    reserved_until: datetime | None = Field(description="End of the hold (null: no expiry).")
    order_id: int | None = Field(description="The order holding or owning the number.")

    @staticmethod
    def resolve_formatted(ticket: TicketNumber) -> str:
        return ticket.raffle.format_number(ticket.number)

    @staticmethod
    def resolve_status(ticket: TicketNumber) -> str:
        return ticket.effective_status()

    @staticmethod
    def resolve_reserved_until(ticket: TicketNumber) -> datetime | None:
        return None if ticket.is_lapsed() else ticket.reserved_until

    @staticmethod
    def resolve_order_id(ticket: TicketNumber) -> int | None:
        return None if ticket.is_lapsed() else ticket.reserved_by_order_id


class TicketFilters(Schema):
    status: TicketStatus | None = None
    number_min: NumberParam | None = Field(None, description="From this number (inclusive).")
    number_max: NumberParam | None = Field(None, description="Up to this number (inclusive).")


# --- Orders -----------------------------------------------------------------------------
OrderOrdering = Literal[
    "created_at", "-created_at", "id", "-id", "total_amount", "-total_amount", "expires_at"
]


class BuyerOut(Schema):
    id: int
    phone: str | None = Field(description="E.164; null for a buyer known only by a channel id.")
    name: str


class RaffleRef(Schema):
    id: int
    title: str
    currency: str
    number_width: int


class OrderOut(Schema):
    id: int
    code: str
    raffle_id: int
    buyer: BuyerOut
    qty: int
    total_amount: Decimal
    list_amount: Decimal | None = Field(
        description="Before bundles, early bird and coupon (null on older orders)."
    )
    discount_amount: Decimal = Field(description="Taken off the list price, coupon included.")
    coupon_code: str = Field(description="The coupon applied (empty: none).")
    coupon_discount: Decimal = Field(description="The coupon's part of the discount.")
    status: OrderStatus
    numbers: list[int]
    formatted_numbers: list[str] = Field(description="The numbers zero-padded.")
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    proof_received_at: datetime | None
    paid_at: datetime | None
    closed_at: datetime | None
    seller: str | None = Field(None, description="Code of the seller credited (docs/sellers.md).")
    seller_via: Literal["sale", "link"] | None = Field(
        None, description="sale: recorded by the seller; link: through the seller's link or code."
    )

    @staticmethod
    def resolve_seller(order: Order) -> str | None:
        credit = getattr(order, "seller_attribution", None)
        return credit.seller.code if credit is not None else None

    @staticmethod
    def resolve_seller_via(order: Order) -> str | None:
        credit = getattr(order, "seller_attribution", None)
        return str(credit.via) if credit is not None else None

    @staticmethod
    def resolve_numbers(order: Order) -> list[int]:
        return sorted(t.number for t in order.order_tickets.all())

    @staticmethod
    def resolve_formatted_numbers(order: Order) -> list[str]:
        return [order.raffle.format_number(n) for n in OrderOut.resolve_numbers(order)]


class ProofOut(Schema):
    id: int
    mime_type: str
    size: int
    sha256: str
    received_at: datetime
    source_media_id: str
    review: ProofReview
    reviewed_at: datetime | None
    rejection_reason: str
    duplicate_of_order: str | None = Field(
        description="Code of an earlier order that sent the same file, if any."
    )
    file_url: str = Field(description="GET it with the same credentials.")
    hints: ProofHintsOut | None = Field(
        description="A PDF proof's amounts, dates and reference beside the order's, with"
        " mismatch flags; null for images."
    )

    @staticmethod
    def resolve_hints(proof: PaymentProof) -> ProofHintsOut | None:
        return proof_hints_out(proof)

    @staticmethod
    def resolve_duplicate_of_order(proof: PaymentProof) -> str | None:
        earlier = proof.duplicate_of  # None without a query when there is none
        return earlier.order.code if earlier is not None else None

    @staticmethod
    def resolve_file_url(proof: PaymentProof) -> str:
        return f"/api/orders/{proof.order_id}/proofs/{proof.pk}/file"


class EventOut(Schema):
    id: int
    kind: str
    actor_type: ActorType
    actor_label: str
    created_at: datetime
    details: dict[str, Any]

    @staticmethod
    def resolve_details(event: OrderEvent) -> dict[str, Any]:
        return shared_details(event.details)


class RefundOut(Schema):
    id: int
    amount: Decimal
    method: RefundMethod
    note: str
    by: str = Field(description="Who recorded it.")
    created_at: datetime

    @staticmethod
    def resolve_by(refund: Refund) -> str:
        return refund.actor_label


# A phone number in international format, digits with single spaces between them, or
# nothing: exactly what `services.normalize_phone` accepts of that shape.
PHONE_PATTERN = r"^$|^\+?[1-9]( ?[0-9]){6,14}$"
Phone = Annotated[
    str,
    Field(
        max_length=30,
        pattern=PHONE_PATTERN,
        description="Optional, in international format: +5215512345678 or +52 155 1234 5678.",
    ),
]
Note = Annotated[str, text_field(max_length=500), CLEAN_TEXT]


class SaleIn(Schema):
    """A sale recorded by staff (at the counter, by phone): these numbers to this buyer."""

    model_config = ConfigDict(extra="forbid")

    numbers: list[Number] = Field(min_length=1, max_length=2000, description="The numbers sold.")
    buyer_name: Title
    buyer_phone: Phone = ""
    paid: bool = Field(True, description="Paid now (confirmed at once) or reserved.")
    method: SaleMethod = "cash"
    note: Note = ""
    coupon: CouponCode | None = Field(
        None,
        description="A coupon code the buyer brings, applied as to a buyer's order (404"
        " coupon_not_found, 409 coupon_unusable: nothing is sold).",
    )


class OrderDetailOut(OrderOut):
    raffle: RaffleRef
    confirmed_by: str | None = Field(description="Username of the staff who confirmed.")
    closed_reason: str = Field(description="Why staff cancelled it (empty otherwise).")
    sold_by: str | None = Field(None, description="Username of the staff who recorded the sale.")
    sale_method: str = Field("", description="cash, transfer or other (a recorded sale).")
    sale_note: str = ""
    proofs: list[ProofOut]
    refunds: list[RefundOut] = Field(description="Money given back, oldest first.")
    timeline: list[EventOut] = Field(description="Every state change, oldest first.")

    @staticmethod
    def resolve_confirmed_by(order: Order) -> str | None:
        return order.confirmed_by.get_username() if order.confirmed_by else None

    @staticmethod
    def resolve_sold_by(order: Order) -> str | None:
        return order.sold_by.get_username() if order.sold_by else None

    @staticmethod
    def resolve_proofs(order: Order) -> list[PaymentProof]:
        return list(order.proofs.all())

    @staticmethod
    def resolve_refunds(order: Order) -> list[Refund]:
        return list(order.refunds.all())

    @staticmethod
    def resolve_timeline(order: Order) -> list[OrderEvent]:
        return list(order.events.all())


class OrderFilters(Schema):
    status: OrderStatus | None = None
    raffle: Id | None = Field(None, description="Raffle id.")
    buyer: Id | None = Field(None, description="Buyer id (a contact's `buyer_id`).")
    contact: Id | None = Field(
        None, description="WhatsApp contact id: the orders of that contact's buyer."
    )
    code: OrderCode | None = Field(None, description="Order code, any case.")
    created_after: DateTime | None = Field(None, description="Created at or after.")
    created_before: DateTime | None = Field(None, description="Created before.")
    ordering: OrderOrdering = "-created_at"


class PendingFilters(Schema):
    raffle: Id | None = Field(None, description="Raffle id.")
    with_proof: bool | None = Field(
        None, description="true: only orders whose proof waits for review; false: without."
    )


class ConfirmPaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    payment_proof_media_id: MediaId | None = Field(
        None, description="Confirm only the proof with this media id (default: all pending)."
    )


class RejectPaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why, in words the buyer will read.")


class CancelPaidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the paid order is cancelled (kept in the audit).")
    release_numbers: bool = Field(
        description="true: its numbers are for sale again; false: they stay out of sale."
    )


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Price = Field(description="More than 0, at most what was paid less refunds.")
    method: RefundMethod
    note: Annotated[str, text_field(max_length=500), CLEAN_TEXT] = ""
