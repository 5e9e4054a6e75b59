"""Writes about prices: a raffle's bundles and early-bird price, its coupons, and applying
a coupon to an order. The price rule itself is `raffles.pricing.quote`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from raffles import signals
from raffles.audit import EventKind
from raffles.exceptions import (
    CouponCodeTaken,
    CouponNotFound,
    CouponUnusable,
    InvalidInput,
    InvalidOrderState,
    InvalidRaffleState,
)
from raffles.models import Coupon, Order, Raffle
from raffles.pricing import (
    MAX_TIERS,
    CouponKind,
    PriceTier,
    coupon_amount,
    money,
    tiers_to_json,
)
from raffles.services.actors import ActorLike, as_actor
from raffles.services.events import log_event

MAX_CODE_LENGTH = 32
MAX_USES = 2_000_000_000  # the most a usage limit may be (the column holds a bit more)
FIRST_YEAR, LAST_YEAR = 1900, 9000  # an end date's year, as the API documents


class _Keep(Enum):
    """`update_coupon`'s marker for a field not given: kept as it is (None clears it)."""

    KEEP = "keep"


KEEP: Final = _Keep.KEEP


def normalize_code(code: str) -> str:
    """Coupon codes are case-insensitive: stored and compared in capitals, spaces dropped."""
    return "".join(str(code).split()).upper()


def _amount(value: object, field: str, *, positive: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter an amount."), field=field) from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0):
        message = _("Enter an amount above zero.") if positive else _("Enter an amount.")
        raise InvalidInput(message, field=field)
    return money(amount)  # rounded to cents, as the raffle's ticket price is


def check_tiers(raffle: Raffle, tiers: Iterable[Mapping[str, Any] | PriceTier]) -> list[PriceTier]:
    """The bundles, checked (prices rounded to cents): sizes from 2 up to the most tickets
    an order may have, each size once, each bundle cheaper than its tickets bought singly."""
    out: list[PriceTier] = []
    for item in tiers:
        quantity, price = (
            (item.quantity, item.price)
            if isinstance(item, PriceTier)
            else (item.get("quantity"), item.get("price"))
        )
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            try:
                quantity = int(str(quantity))
            except ValueError:
                message = _("A bundle needs a number of tickets.")
                raise InvalidInput(message, field="tiers") from None
        if not 2 <= quantity <= raffle.max_tickets_per_order:
            raise InvalidInput(
                _("A bundle has from 2 to %(max)d tickets (the most one order may have).")
                % {"max": raffle.max_tickets_per_order},
                field="tiers",
                conflicts_with=["max_tickets_per_order"],
            )
        amount = _amount(price, "tiers", positive=False)
        if amount >= raffle.ticket_price * quantity:
            raise InvalidInput(
                _("A bundle of %(qty)d must cost less than %(qty)d single tickets.")
                % {"qty": quantity},
                field="tiers",
                conflicts_with=["ticket_price"],
            )
        out.append(PriceTier(quantity, amount))
    if len({t.quantity for t in out}) != len(out):
        message = _("Each bundle size may appear only once.")
        raise InvalidInput(message, field="tiers", conflicts_with=["tiers"])
    if len(out) > MAX_TIERS:
        raise InvalidInput(_("At most %(n)d bundles.") % {"n": MAX_TIERS}, field="tiers")
    return sorted(out, key=lambda t: t.quantity)


def set_prices(
    *,
    raffle: Raffle,
    tiers: Iterable[Mapping[str, Any] | PriceTier],
    early_bird_price: Decimal | str | None = None,
    early_bird_until: datetime | None = None,
    by: ActorLike = None,
) -> Raffle:
    """Replace the raffle's bundles and early-bird price (both or neither of its price and
    date). Saving the raffle changes its terms, so reservations made from an older copy in
    memory are refused and priced again (`reservations.known`)."""
    with transaction.atomic():
        raffle = Raffle.objects.get(pk=raffle.pk)
        if not raffle.is_editable:
            raise InvalidRaffleState("change the prices of", raffle.get_status_display().lower())
        checked = check_tiers(raffle, tiers)
        early: Decimal | None = None
        if early_bird_price not in (None, ""):
            early = _amount(early_bird_price, "early_bird_price", positive=False)
            if early >= raffle.ticket_price:
                raise InvalidInput(
                    _("The early-bird price must be below the ticket price."),
                    field="early_bird_price",
                    conflicts_with=["ticket_price"],
                )
            if early_bird_until is None:
                raise InvalidInput(
                    _("Say until when the early-bird price lasts."),
                    field="early_bird_until",
                    conflicts_with=["early_bird_price"],
                )
        elif early_bird_until is not None:
            message = _("Enter the early-bird price.")
            conflicts = ["early_bird_until"]
            raise InvalidInput(message, field="early_bird_price", conflicts_with=conflicts)
        raffle.price_tiers = tiers_to_json(checked)
        raffle.early_bird_price = early
        raffle.early_bird_until = early_bird_until if early is not None else None
        raffle.save(
            update_fields=["price_tiers", "early_bird_price", "early_bird_until", "updated_at"]
        )
        log_event(
            kind=EventKind.PRICES_CHANGED,
            by=by,
            raffle=raffle,
            tiers=raffle.price_tiers,
            early_bird_price=str(early) if early is not None else None,
            early_bird_until=early_bird_until.isoformat() if early_bird_until else None,
        )
    return raffle


def create_coupon(
    *,
    raffle: Raffle,
    code: str,
    kind: str,
    value: Decimal | str,
    max_uses: int | None = None,
    ends_at: datetime | None = None,
    by: ActorLike = None,
) -> Coupon:
    key = normalize_code(code)
    if not key or len(key) > MAX_CODE_LENGTH or not key.isalnum():
        raise InvalidInput(
            _("A coupon code has 1 to %(n)d letters and digits.") % {"n": MAX_CODE_LENGTH},
            field="code",
        )
    try:
        coupon_kind = CouponKind(kind)
    except ValueError:
        raise InvalidInput(_("Choose percent or amount off."), field="kind") from None
    amount = _amount(value, "value", positive=False)
    if coupon_kind is CouponKind.PERCENT and amount > 100:
        message = _("A percentage is at most 100.")
        raise InvalidInput(message, field="value", conflicts_with=["kind"])
    check_limits(max_uses=max_uses, ends_at=ends_at)
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(
                raffle=raffle,
                code=key,
                kind=coupon_kind.value,
                value=amount,
                max_uses=max_uses,
                ends_at=ends_at,
                created_by=as_actor(by).user,  # type: ignore[misc]  # the user model
            )
            log_event(kind=EventKind.COUPON_CREATED, by=by, raffle=raffle, code=key)
    except IntegrityError:
        raise CouponCodeTaken(key) from None
    return coupon


def check_limits(*, max_uses: int | None, ends_at: datetime | None) -> None:
    """A coupon's usage limit (empty: none) and end date (empty: none), on creation and
    when edited: a whole number from 1, and a date with its time zone. A date already past
    is taken: the coupon is expired from then on (buyers are told so)."""
    if max_uses is not None:
        if isinstance(max_uses, bool) or not isinstance(max_uses, int) or max_uses < 1:
            raise InvalidInput(_("The usage limit is at least 1."), field="max_uses")
        if max_uses > MAX_USES:
            message = _("The usage limit is at most %(n)d.") % {"n": MAX_USES}
            raise InvalidInput(message, field="max_uses")
    if ends_at is not None:
        if timezone.is_naive(ends_at):
            raise InvalidInput(_("Enter the end date with its time zone."), field="ends_at")
        try:
            ends_at.astimezone(UTC)  # its year as written is checked, as the API does
            year = ends_at.year
        except (OverflowError, ValueError):
            year = 0
        if not FIRST_YEAR <= year <= LAST_YEAR:
            message = _("Enter an end date between the years %(first)d and %(last)d.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
            raise InvalidInput(message, field="ends_at")


def update_coupon(
    *,
    coupon: Coupon,
    max_uses: int | _Keep | None = KEEP,
    ends_at: datetime | _Keep | None = KEEP,
    active: bool | _Keep = KEEP,
    by: ActorLike = None,
) -> Coupon:
    """Change a coupon's usage limit, end date or state (only those given; None clears the
    limit or the end date). Its code and discount never change: orders carry the discount
    they got. The new limit is written by one conditional UPDATE (no fewer than the uses
    counted), so it cannot cross `apply_coupon`'s counting UPDATE into passing the limit;
    the row is locked first where the database can (PostgreSQL), SQLite's writes are
    serialized by its IMMEDIATE transactions."""
    check_limits(
        max_uses=None if max_uses is KEEP else max_uses,
        ends_at=None if ends_at is KEEP else ends_at,
    )
    with transaction.atomic():
        current = Coupon.objects.select_for_update().get(pk=coupon.pk)
        wanted: dict[str, Any] = {}
        if max_uses is not KEEP and max_uses != current.max_uses:
            wanted["max_uses"] = max_uses
        if ends_at is not KEEP and ends_at != current.ends_at:
            wanted["ends_at"] = ends_at
        if active is not KEEP and active != current.active:
            wanted["active"] = active
        if not wanted:
            return current
        rows = Coupon.objects.filter(pk=current.pk)
        if wanted.get("max_uses") is not None:
            rows = rows.filter(used_count__lte=wanted["max_uses"])
        if not rows.update(**wanted):
            current.refresh_from_db(fields=["used_count"])
            raise InvalidInput(
                _("The limit cannot be below the uses already counted (%(used)d).")
                % {"used": current.used_count},
                field="max_uses",
            )
        before = {name: _logged(getattr(current, name)) for name in wanted}
        coupon.refresh_from_db()  # the caller's copy shows the change, as it always did
        after: dict[str, Any] = {name: _logged(getattr(coupon, name)) for name in wanted}
        log_event(
            kind=EventKind.COUPON_CHANGED,
            by=by,
            raffle=coupon.raffle,
            code=coupon.code,
            before=before,
            **after,
        )
    return coupon


def _logged(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def set_coupon_active(*, coupon: Coupon, active: bool, by: ActorLike = None) -> Coupon:
    """Disable a coupon (no new uses; orders keep their discount) or enable it again."""
    return update_coupon(coupon=coupon, active=active, by=by)


def find_coupon(raffle_id: int, code: str) -> Coupon:
    coupon = Coupon.objects.filter(raffle_id=raffle_id, code=normalize_code(code)).first()
    if coupon is None:
        raise CouponNotFound(normalize_code(code))
    return coupon


def why_unusable(coupon: Coupon, now: datetime) -> str:
    coupon.refresh_from_db()
    if not coupon.active:
        return "disabled"
    if coupon.ends_at is not None and now >= coupon.ends_at:
        return "expired"
    return "used_up"


def apply_coupon(*, order: Order, code: str, by: ActorLike = None) -> Order:
    """Take the coupon off an order waiting for payment (before its proof), and count one
    use. The use is counted by one conditional UPDATE (active, not past its date, under its
    limit), so concurrent buyers can never pass the limit; the order is changed by another,
    guarded on it still having no coupon. Both or neither: one transaction."""
    now = timezone.now()
    coupon = find_coupon(order.raffle_id, code)
    with transaction.atomic():
        fresh = Order.objects.select_related("raffle").get(pk=order.pk)
        if not fresh.can_be_replaced or fresh.hold_ran_out(now):
            raise InvalidOrderState("apply a coupon to", fresh.effective_status(now).lower())
        if fresh.coupon_id is not None:
            raise InvalidOrderState("apply a second coupon to", "already discounted")
        usable = Q(active=True) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        usable &= Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses"))
        if not Coupon.objects.filter(usable, pk=coupon.pk).update(used_count=F("used_count") + 1):
            raise CouponUnusable(coupon.code, why_unusable(coupon, now))
        subtotal = fresh.total_amount
        off = coupon_amount(subtotal, coupon.terms)
        list_amount = fresh.list_amount if fresh.list_amount is not None else subtotal
        changed = Order.objects.filter(
            pk=fresh.pk,
            coupon__isnull=True,
            status=Order.Status.PENDING_PAYMENT,
            proof_received_at__isnull=True,
        ).update(
            coupon=coupon,
            coupon_code=coupon.code,
            coupon_discount=off,
            total_amount=subtotal - off,
            list_amount=list_amount,
            discount_amount=list_amount - (subtotal - off),
            updated_at=now,
        )
        if not changed:
            raise InvalidOrderState("apply a coupon to", "changed meanwhile")
        fresh.refresh_from_db()
        log_event(
            kind=EventKind.COUPON_APPLIED,
            by=by,
            order=fresh,
            code=coupon.code,
            discount=str(off),
            total=str(fresh.total_amount),
        )
    return fresh


def return_coupon_use(*, order: Order) -> bool:
    """A cancelled order gives its coupon use back (in the cancellation's transaction). An
    expired order keeps it: staff may still accept its late payment at the discount."""
    if order.coupon_id is None:
        return False
    returned = Coupon.objects.filter(pk=order.coupon_id, used_count__gt=0)
    return bool(returned.update(used_count=F("used_count") - 1))


def _on_cancelled(sender: object, order: Order, **kwargs: object) -> None:
    return_coupon_use(order=order)


def connect() -> None:
    signals.order_cancelled.connect(_on_cancelled, dispatch_uid="pricing-return-coupon")
