"""Sales recorded by staff (cash, transfer, other) and the grid's bulk actions on numbers.

A sale goes through the reservation engine (`reserve_specific`), so a number sold at the
counter can never also be taken by a buyer in a chat: whichever write comes first wins and
the other is refused with the taken numbers. A sale recorded as paid is then confirmed with
`confirm_paid`, which sends `order_paid` (the buyer's receipt, if she has a contact). An
unpaid sale is held without expiry until staff confirm or release it. A coupon code the
buyer brings is applied by the buyers' own rule (`pricing.apply_coupon`) inside the sale's
transaction: a code that cannot be used refuses the whole sale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from raffles.audit import EventKind
from raffles.exceptions import CouponNotFound, CouponUnusable, InvalidInput
from raffles.models import Buyer, Order, Raffle, SaleMethod, TicketNumber
from raffles.services.actors import ActorLike, as_actor
from raffles.services.buyers import create_buyer_without_phone, get_or_create_buyer
from raffles.services.events import log_event
from raffles.services.orders import cancel_order, confirm_paid
from raffles.services.pricing import apply_coupon, normalize_code
from raffles.services.reservations import reserve_specific, upkeep
from raffles.services.reservations.picking import pick_numbers
from raffles.services.sellers import attribute_order

MAX_NOTE = 500
MAX_NAME = 200
AVAILABLE = TicketNumber.Status.AVAILABLE
RESERVED = TicketNumber.Status.RESERVED
BLOCKED = TicketNumber.Status.BLOCKED


@dataclass(frozen=True)
class SaleBuyer:
    """Who bought, as staff typed it: a name (required) and a phone number (optional)."""

    name: str
    phone: str = ""


def _buyer_for(buyer: SaleBuyer) -> Buyer:
    name = (buyer.name or "").strip()
    if not name:
        raise InvalidInput("Type the buyer's name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The name can have at most {MAX_NAME} characters", field="name")
    phone = (buyer.phone or "").strip()
    if phone:
        return get_or_create_buyer(phone=phone, name=name)  # InvalidInput(field="phone")
    return create_buyer_without_phone(name=name)


def sell_offline(
    *,
    raffle: Raffle,
    numbers: Iterable[int],
    buyer: SaleBuyer,
    paid: bool,
    method: str = SaleMethod.CASH,
    note: str = "",
    coupon: str | None = None,
    by: ActorLike,
) -> Order:
    """Record a sale made by staff: reserve exactly these numbers for the buyer (all or
    nothing; NumbersTaken names the taken ones), remember who sold it and how it was paid,
    take a `coupon` off its price (CouponNotFound or CouponUnusable, with field "coupon",
    and nothing is sold), and, when `paid`, confirm it (the buyer gets her receipt through
    `order_paid`)."""
    wanted = sorted({int(n) for n in numbers})
    if not wanted:
        raise InvalidInput("Choose at least one number", field="numbers")
    if method not in SaleMethod.values:
        raise InvalidInput("Choose cash, transfer or other", field="method")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"The note can have at most {MAX_NOTE} characters", field="note")
    code = normalize_code(coupon or "")
    actor = as_actor(by)
    with transaction.atomic():
        person = _buyer_for(buyer)
        order = reserve_specific(raffle.pk, wanted, person, by=by)
        # Held until staff confirm or release it: the sale was made in person.
        Order.objects.filter(pk=order.pk).update(
            sold_by=actor.user, sale_method=method, sale_note=note, expires_at=None
        )
        TicketNumber.objects.filter(reserved_by_order=order, status=RESERVED).update(
            reserved_until=None
        )
        order.sold_by_id = getattr(actor.user, "pk", None)
        order.sale_method = method
        order.sale_note = note
        order.expires_at = None
        attribute_order(order, sold_by=actor.user)  # a seller's own sale is theirs
        log_event(
            kind=EventKind.SOLD_BY_STAFF,
            by=by,
            order=order,
            numbers=wanted,
            paid=paid,
            method=method,
            note=note,
        )
        if code:
            order = _with_coupon(order, code, by=by)
        if paid:
            order = confirm_paid(order, by=by)
    return order


def _with_coupon(order: Order, code: str, *, by: ActorLike) -> Order:
    """The buyers' rule: one conditional UPDATE counts the use (active, not past its date,
    under its limit); raising here rolls the caller's whole sale back."""
    try:
        return apply_coupon(order=order, code=code, by=by)
    except (CouponNotFound, CouponUnusable) as exc:
        exc.fields["field"] = "coupon"  # the form's field it belongs to (portal, API)
        raise


def pick_free_numbers(raffle: Raffle, qty: int) -> list[int]:
    """Up to `qty` claimable numbers picked at random (a suggestion: nothing is held)."""
    if qty < 1:
        raise InvalidInput("Type how many numbers to pick", field="qty")
    return sorted(pick_numbers(raffle, qty, set(), timezone.now()))


def _orders_holding(raffle: Raffle, numbers: Iterable[int]) -> list[Order]:
    ids = (
        TicketNumber.objects.filter(raffle=raffle, number__in=list(numbers), status=RESERVED)
        .values_list("reserved_by_order_id", flat=True)
        .distinct()
    )
    return list(Order.objects.filter(pk__in=list(ids)).order_by("id"))


def confirm_held(raffle: Raffle, numbers: Iterable[int], *, by: ActorLike) -> list[Order]:
    """Confirm the payment of every order holding one of these numbers (whole orders)."""
    with transaction.atomic():
        return [confirm_paid(order, by=by) for order in _orders_holding(raffle, numbers)]


def release_held(raffle: Raffle, numbers: Iterable[int], *, by: ActorLike) -> list[Order]:
    """Cancel every live order holding one of these numbers, freeing its numbers."""
    with transaction.atomic():
        return [
            cancel_order(order, by=by)
            for order in _orders_holding(raffle, numbers)
            if order.is_live
        ]


def _touch(raffle: Raffle) -> None:
    """The raffle's board changed: its fingerprint moves (live views, cached pictures)."""
    Raffle.objects.filter(pk=raffle.pk).update(updated_at=timezone.now())


def block_numbers(raffle: Raffle, numbers: Iterable[int], *, by: ActorLike) -> list[int]:
    """Keep free numbers out of sale (prizes for sponsors). Numbers that are not free are
    left as they are; returns the numbers blocked."""
    wanted = sorted({int(n) for n in numbers})
    with transaction.atomic():
        free = TicketNumber.objects.select_for_update().filter(
            raffle=raffle, number__in=wanted, status=AVAILABLE
        )
        blocked = sorted(free.values_list("number", flat=True))
        TicketNumber.objects.filter(
            raffle=raffle, number__in=blocked, status=AVAILABLE
        ).order_by().update(status=BLOCKED)
        if blocked:
            _touch(raffle)
            upkeep.after_bulk_change(len(blocked))
            log_event(kind=EventKind.NUMBERS_BLOCKED, by=by, raffle=raffle, numbers=blocked)
    return blocked


def unblock_numbers(raffle: Raffle, numbers: Iterable[int], *, by: ActorLike) -> list[int]:
    """Put blocked numbers back on sale; returns the numbers unblocked."""
    wanted = sorted({int(n) for n in numbers})
    with transaction.atomic():
        rows = TicketNumber.objects.select_for_update().filter(
            raffle=raffle, number__in=wanted, status=BLOCKED
        )
        freed = sorted(rows.values_list("number", flat=True))
        TicketNumber.objects.filter(
            raffle=raffle, number__in=freed, status=BLOCKED
        ).order_by().update(status=AVAILABLE)
        if freed:
            _touch(raffle)
            upkeep.after_bulk_change(len(freed))
            log_event(kind=EventKind.NUMBERS_UNBLOCKED, by=by, raffle=raffle, numbers=freed)
    return freed
