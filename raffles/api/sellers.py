"""/api/sellers/… and /api/raffles/{raffle_id}/sellers/: sellers, their codes, commissions,
personal links and figures, and the raffle's leaderboard (docs/sellers.md).

    GET  /sellers/                                every seller (owners, reviewers, viewers)
    POST /sellers/                                give a staff user a code (owners)
    PUT  /sellers/{id}/raffles/{raffle_id}/       set the commission (owners)
    GET  /sellers/{id}/raffles/{raffle_id}/       a seller's links and figures in a raffle
    GET  /raffles/{raffle_id}/sellers/            the leaderboard
    GET  /sellers/me/                             the caller's own code, links and figures
    GET  /sellers/me/orders/                      the orders credited to the caller

The seller role reaches only the two /me/ operations (portal.roles.API_PERMISSIONS): a seller
sees their own buyers and never another seller's. Thin: one selector or service each.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from raffles import selectors_sellers as figures
from raffles.api.common import Id, Pagination, actor, id_path, read, write
from raffles.api.schemas import OrderOut
from raffles.models import Order, Raffle, Seller
from raffles.services import sellers

router = Router(tags=["sellers"])

SellerId = id_path("Seller id.")
RaffleId = id_path("Raffle id.")
CODE_PATTERN = r"^[A-Za-z0-9]{2,12}$"
PERCENT_PATTERN = r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"


class SellerOut(Schema):
    id: int
    code: str
    user_id: int
    username: str = Field(alias="user.username")
    created_at: datetime


class SellerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user_id: Id = Field(description="An active staff user (give them the seller role).")
    code: str = Field(
        pattern=CODE_PATTERN,
        description="2 to 12 letters or digits, unique; stored in capitals (ANA).",
    )


class CommissionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    percent: str = Field(
        pattern=PERCENT_PATTERN,
        description='From "0" to "100", up to two decimals: the share of the confirmed money.',
    )


class FiguresOut(Schema):
    seller_id: int
    code: str
    name: str
    raffle_id: int
    rank: int = Field(description="1 = first on the leaderboard; 0 outside the leaderboard.")
    orders: int = Field(description="Paid orders credited to the seller.")
    numbers: int = Field(description="Numbers in those orders.")
    pending: int = Field(description="Credited orders still waiting for payment.")
    cash: Decimal = Field(description="Paid cash sales the seller recorded.")
    online: Decimal = Field(description="Every other paid order credited to the seller.")
    confirmed: Decimal
    percent: Decimal
    commission: Decimal = Field(description="percent of confirmed, rounded to cents.")


class LinksOut(Schema):
    code: str
    page_url: str = Field(description="The raffle's public page with ?s=CODE.")
    whatsapp_url: str = Field(description="wa.me with the message carrying #S-CODE.")
    message: str


class SellerRaffleOut(Schema):
    raffle_id: int
    title: str
    links: LinksOut
    figures: FiguresOut


class MySellerOut(Schema):
    seller: SellerOut
    raffles: list[SellerRaffleOut]


def _seller(seller_id: int) -> Seller:
    seller = Seller.objects.select_related("user").filter(pk=seller_id).first()
    if seller is None:
        raise Http404(f"Seller {seller_id} does not exist")
    return seller


def _raffle(raffle_id: int) -> Raffle:
    raffle = Raffle.objects.filter(pk=raffle_id).first()
    if raffle is None:
        raise Http404(f"Raffle {raffle_id} does not exist")
    return raffle


def _mine(request: HttpRequest) -> Seller:
    """The caller's own seller profile (a staff session; an API key is no seller)."""
    user = actor(request).user
    seller = figures.seller_of_user(getattr(user, "pk", None))
    if seller is None:
        raise Http404("You have no seller code")
    return seller


def _in_raffle(seller: Seller, raffle: Raffle) -> SellerRaffleOut:
    return SellerRaffleOut(
        raffle_id=raffle.pk,
        title=raffle.title,
        links=LinksOut(**figures.seller_links(seller, raffle).__dict__),
        figures=_figures_out(figures.seller_figures(seller, raffle)),
    )


def _figures_out(row: figures.SellerFigures) -> FiguresOut:
    return FiguresOut(**row.__dict__, confirmed=row.confirmed, commission=row.commission)


@router.get("/sellers/", response=read(list[SellerOut]))
@paginate(Pagination)
def list_sellers(request: HttpRequest) -> QuerySet[Seller]:
    """Every seller, by code."""
    return Seller.objects.select_related("user").order_by("code")


@router.post("/sellers/", response=write(SellerOut, 404, 409))
def save_seller(request: HttpRequest, payload: SellerIn) -> Seller:
    """Give a staff user a seller code, or change theirs."""
    user = get_user_model().objects.filter(pk=payload.user_id, is_active=True).first()
    if user is None:
        raise Http404(f"User {payload.user_id} does not exist")
    return sellers.save_seller(user=user, code=payload.code, by=actor(request))


@router.put("/sellers/{seller_id}/raffles/{raffle_id}/", response=write(FiguresOut, 404))
def set_seller_commission(
    request: HttpRequest,
    payload: CommissionIn,
    seller_id: int = SellerId,
    raffle_id: int = RaffleId,
) -> FiguresOut:
    """Set the seller's commission (a percentage of the confirmed money) in a raffle."""
    seller, raffle = _seller(seller_id), _raffle(raffle_id)
    sellers.set_commission(seller=seller, raffle=raffle, percent=payload.percent, by=actor(request))
    return _figures_out(figures.seller_figures(seller, raffle))


@router.get("/sellers/me/", response=read(MySellerOut, 404))
def get_my_seller(request: HttpRequest) -> dict[str, object]:
    """The caller's own code, and per raffle their personal links and figures."""
    seller = _mine(request)
    return {
        "seller": seller,
        "raffles": [_in_raffle(seller, r) for r in figures.seller_raffles(seller)],
    }


@router.get("/sellers/me/orders/", response=read(list[OrderOut], 404))
@paginate(Pagination)
def list_my_seller_orders(request: HttpRequest) -> QuerySet[Order]:
    """The orders credited to the caller (their own buyers only), newest first."""
    seller = _mine(request)
    return (
        figures.orders_credited_to(seller.pk)
        .select_related("raffle", "buyer", "seller_attribution__seller")
        .prefetch_related("order_tickets")
        .order_by("-created_at", "-id")
    )


@router.get("/sellers/{seller_id}/raffles/{raffle_id}/", response=read(SellerRaffleOut, 404))
def get_seller_in_raffle(
    request: HttpRequest, seller_id: int = SellerId, raffle_id: int = RaffleId
) -> SellerRaffleOut:
    """A seller's personal links and figures in a raffle."""
    return _in_raffle(_seller(seller_id), _raffle(raffle_id))


@router.get("/raffles/{raffle_id}/sellers/", response=read(list[FiguresOut], 404))
def raffle_seller_leaderboard(request: HttpRequest, raffle_id: int = RaffleId) -> list[FiguresOut]:
    """The raffle's sellers ranked by confirmed money, then numbers sold."""
    return [_figures_out(row) for row in figures.leaderboard(_raffle(raffle_id))]
