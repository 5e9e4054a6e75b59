"""Reads about sellers: what each sold in a raffle, money in cash and confirmed online, the
commission due, the leaderboard, and the orders credited to one seller (docs/sellers.md).

Counted: orders credited to the seller (`OrderAttribution`) that are paid. Cash: paid sales
the seller recorded as cash in the portal; online: every other paid order credited to them
(a buyer who came through the link and paid, a transfer recorded by the seller). The money
of an order is what was paid less its refunds (`Refund`), never below zero, summed in the
query. The commission is the raffle's percentage of both, rounded to cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from raffles.models import (
    Order,
    OrderAttribution,
    Raffle,
    Refund,
    SaleMethod,
    Seller,
    SellerCommission,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SellerFigures:
    seller_id: int
    code: str
    name: str
    raffle_id: int
    orders: int  # paid orders credited to the seller
    numbers: int  # numbers in them
    pending: int  # orders credited and still waiting for payment
    cash: Decimal
    online: Decimal
    percent: Decimal
    rank: int = 0

    @property
    def confirmed(self) -> Decimal:
        return self.cash + self.online

    @property
    def commission(self) -> Decimal:
        return (self.confirmed * self.percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def seller_of_user(user_id: int | None) -> Seller | None:
    if user_id is None:
        return None
    return Seller.objects.filter(user_id=user_id).first()


def orders_credited_to(seller_id: int) -> QuerySet[Order]:
    """The orders credited to one seller (their buyers), newest first."""
    return Order.objects.filter(seller_attribution__seller_id=seller_id)


def orders_credited_to_user(user_id: int) -> QuerySet[Order]:
    return Order.objects.filter(seller_attribution__seller__user_id=user_id)


MONEY = DecimalField(max_digits=16, decimal_places=2)


def _kept() -> Greatest:
    """What the attribution's order kept: its total less its refunds, never below zero. One
    correlated subquery (a join would repeat the order once per refund)."""
    refunds = (
        Refund.objects.filter(order_id=OuterRef("order_id"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    refunded = Coalesce(Subquery(refunds, output_field=MONEY), Value(ZERO), output_field=MONEY)
    return Greatest(F("order__total_amount") - refunded, Value(ZERO), output_field=MONEY)


def _money(condition: Q) -> Coalesce:
    return Coalesce(
        Sum(Case(When(condition, then=_kept()), output_field=MONEY)),
        Value(ZERO),
        output_field=MONEY,
    )


def _figures(raffle: Raffle, seller_ids: list[int] | None) -> list[SellerFigures]:
    paid = Q(order__status=Order.Status.PAID)
    by_hand = Q(via=OrderAttribution.Via.CASH_SALE, order__sale_method=SaleMethod.CASH)
    rows = OrderAttribution.objects.filter(order__raffle=raffle)
    commissions = SellerCommission.objects.filter(raffle=raffle)
    if seller_ids is not None:
        rows = rows.filter(seller_id__in=seller_ids)
        commissions = commissions.filter(seller_id__in=seller_ids)
    totals = {
        row["seller_id"]: row
        for row in rows.values("seller_id")
        .order_by()
        .annotate(
            orders=Count("pk", filter=paid),
            numbers=Coalesce(Sum("order__qty", filter=paid), 0),
            pending=Count("pk", filter=Q(order__status=Order.Status.PENDING_PAYMENT)),
            cash=_money(paid & by_hand),
            online=_money(paid & ~by_hand),
        )
    }
    percents = dict(commissions.values_list("seller_id", "percent"))
    ids = set(totals) | set(percents)
    if seller_ids is not None:
        ids |= set(seller_ids)
    sellers = Seller.objects.filter(pk__in=ids).select_related("user")
    out = []
    for seller in sellers:
        row: dict[str, Any] = dict(totals.get(seller.pk, {}))
        out.append(
            SellerFigures(
                seller_id=seller.pk,
                code=seller.code,
                name=seller.user.get_full_name() or seller.user.get_username(),
                raffle_id=raffle.pk,
                orders=row.get("orders", 0),
                numbers=row.get("numbers", 0),
                pending=row.get("pending", 0),
                cash=Decimal(row.get("cash", ZERO)).quantize(CENT),
                online=Decimal(row.get("online", ZERO)).quantize(CENT),
                percent=Decimal(percents.get(seller.pk, ZERO)).quantize(CENT),
            )
        )
    return out


def leaderboard(raffle: Raffle) -> list[SellerFigures]:
    """Every seller of the raffle (credited orders or a commission set), ranked by
    confirmed money, then numbers sold, then code."""
    ranked = sorted(_figures(raffle, None), key=lambda f: (-f.confirmed, -f.numbers, f.code))
    return [SellerFigures(**{**f.__dict__, "rank": i}) for i, f in enumerate(ranked, start=1)]


def seller_figures(seller: Seller, raffle: Raffle) -> SellerFigures:
    return _figures(raffle, [seller.pk])[0]


def seller_raffles(seller: Seller) -> QuerySet[Raffle]:
    """The raffles a seller sells: active ones, and any with a commission or credited orders."""
    return (
        Raffle.objects.filter(
            Q(status=Raffle.Status.ACTIVE)
            | Q(seller_commissions__seller=seller)
            | Q(orders__seller_attribution__seller=seller)
        )
        .distinct()
        .order_by("-id")
    )


@dataclass(frozen=True)
class SellerLinks:
    code: str
    page_url: str  # the public page with ?s=CODE
    whatsapp_url: str  # wa.me with the message carrying #S-CODE ("" without a number)
    message: str  # that message, in the active language


def seller_links(seller: Seller, raffle: Raffle) -> SellerLinks:
    """The seller's personal links to a raffle, in the active language."""
    from raffles.public import links
    from raffles.public.selectors import public_page_url, raffle_ref

    message = links.with_seller(
        links.prefilled_text(raffle_ref(raffle), raffle.number_width), seller.code
    )
    return SellerLinks(
        code=seller.code,
        page_url=f"{public_page_url(raffle)}?s={seller.code}",
        whatsapp_url=links.whatsapp_url(message),
        message=message,
    )
