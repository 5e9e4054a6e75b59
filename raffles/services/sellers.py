"""Sellers: their codes, their commissions, the buyers who came through them and the one
rule of who gets credit for an order (docs/sellers.md).

Who gets credit, decided once when the order is created (`attribute_order`):
1. a sale recorded in the portal by a staff user who is a seller (`sell_offline`): that
   seller ("sale");
2. otherwise, the seller whose link or code the buyer last came through for this raffle, or
   without naming a raffle, whichever came last (`SellerReferral`, last touch): that seller
   ("link");
3. otherwise nobody.
A code read later changes who gets credit for the buyer's next orders, never for orders
already made.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from raffles import signals
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput, SellerRefused
from raffles.models import (
    Buyer,
    Order,
    OrderAttribution,
    Raffle,
    Seller,
    SellerCommission,
    SellerReferral,
)
from raffles.seller_models import CODE_PATTERN
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

logger = logging.getLogger(__name__)

_CODE = re.compile(CODE_PATTERN)
MAX_PERCENT = Decimal("100")


def clean_code(text: str) -> str:
    """A seller code as people type it ("ana", "#S-ANA", " s-ana ") → "ANA"; "" when it
    cannot be one."""
    code = (text or "").strip().lstrip("#").upper()
    if code.startswith("S-"):
        code = code[2:]
    return code if _CODE.match(code) else ""


def seller_by_code(text: str) -> Seller | None:
    code = clean_code(text)
    return Seller.objects.filter(code=code).first() if code else None


def save_seller(*, user: Any, code: str, by: ActorLike) -> Seller:
    """Give a staff user a seller code (or change theirs). The code is 2 to 12 capital
    letters or digits and unique."""
    cleaned = clean_code(code)
    if not cleaned:
        raise InvalidInput(
            gettext_noop("The code has 2 to 12 letters (A to Z) or digits"), field="code"
        )
    if not getattr(user, "is_staff", False):
        raise SellerRefused(gettext_noop("Only staff users can be sellers"), field="user")
    if Seller.objects.filter(code=cleaned).exclude(user=user).exists():
        raise SellerRefused(gettext_noop("Another seller has this code"), field="code")
    try:
        with transaction.atomic():
            seller, _created = Seller.objects.update_or_create(
                user=user, defaults={"code": cleaned}
            )
            log_event(kind=EventKind.SELLER_SAVED, by=by, seller=user.get_username(), code=cleaned)
    except IntegrityError:  # the same code saved at the same moment by someone else
        raise SellerRefused(gettext_noop("Another seller has this code"), field="code") from None
    return seller


def parse_percent(value: Any) -> Decimal:
    try:
        percent = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            gettext_noop("Type a percentage from 0 to 100"), field="percent"
        ) from None
    if not percent.is_finite() or percent < 0 or percent > MAX_PERCENT:
        raise InvalidInput(gettext_noop("Type a percentage from 0 to 100"), field="percent")
    if percent != percent.quantize(Decimal("0.01")):
        raise InvalidInput(gettext_noop("Use at most two decimals"), field="percent")
    return percent


def set_commission(
    *, seller: Seller, raffle: Raffle, percent: Decimal | str, by: ActorLike
) -> SellerCommission:
    """The percentage of the raffle's confirmed money the seller earns (owners set it)."""
    value = parse_percent(percent)
    with transaction.atomic():
        row, _created = SellerCommission.objects.update_or_create(
            seller=seller, raffle=raffle, defaults={"percent": value}
        )
        log_event(
            kind=EventKind.SELLER_COMMISSION_SET,
            by=by,
            raffle=raffle,
            seller=seller.code,
            percent=str(value),
        )
    return row


def record_referral(*, buyer: Buyer, code: str, raffle_id: int | None) -> Seller | None:
    """The buyer came through a seller's link or code (for this raffle, or None: no raffle
    named yet). Last touch: replaces the seller remembered for the same pair. An unknown
    code is ignored (returns None)."""
    seller = seller_by_code(code)
    if seller is None:
        return None
    SellerReferral.objects.update_or_create(
        buyer=buyer,
        raffle=Raffle.objects.filter(pk=raffle_id).first() if raffle_id else None,
        defaults={"seller": seller, "touched_at": timezone.now()},
    )
    if not buyer.has_seller:
        Buyer.objects.filter(pk=buyer.pk).update(has_seller=True)
        buyer.has_seller = True
    return seller


def referring_seller_id(buyer_id: int, raffle_id: int) -> int | None:
    """The seller whose link or code the buyer last came through, for this raffle or for
    none named."""
    row = (
        SellerReferral.objects.filter(buyer_id=buyer_id)
        .filter(Q(raffle_id=raffle_id) | Q(raffle__isnull=True))
        .order_by("-touched_at", "-id")
        .values_list("seller_id", flat=True)
        .first()
    )
    return row


def attribute_order(order: Order, *, sold_by: Any = None) -> OrderAttribution | None:
    """Credit the order to a seller by the rule in this module's docstring (idempotent: the
    sale by a seller replaces a link's credit; a link's never replaces a sale's)."""
    if sold_by is not None and getattr(sold_by, "pk", None) is not None:
        seller_id = Seller.objects.filter(user_id=sold_by.pk).values_list("pk", flat=True).first()
        if seller_id is not None:
            attribution, _created = OrderAttribution.objects.update_or_create(
                order_id=order.pk,
                defaults={"seller_id": seller_id, "via": OrderAttribution.Via.CASH_SALE},
            )
            return attribution
    existing = OrderAttribution.objects.filter(order_id=order.pk).first()
    if existing is not None:
        return existing
    return _credit_link(order)


def _credit_link(order: Order) -> OrderAttribution | None:
    if not order.buyer.has_seller:  # never came through a seller: nothing to read
        return None
    seller_id = referring_seller_id(order.buyer_id, order.raffle_id)
    if seller_id is None:
        return None
    attribution, _created = OrderAttribution.objects.get_or_create(
        order_id=order.pk, defaults={"seller_id": seller_id, "via": OrderAttribution.Via.LINK}
    )
    return attribution


def on_order_reserved(sender: Any, order: Order, **kwargs: Any) -> None:
    """Every new order (bot, API, portal) is credited when it is created (no query for a
    buyer who never came through a seller: `Buyer.has_seller`)."""
    _credit_link(order)


def connect() -> None:
    signals.order_reserved.connect(on_order_reserved, dispatch_uid="raffles-sellers-attribute")
