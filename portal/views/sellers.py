"""Sellers in the portal (docs/sellers.md): a seller's own page (their links, code, sales,
cash and online money, commission), a raffle's sellers for owners (leaderboard, commissions,
giving staff a code) and the commissions CSV. Thin: selectors and services of raffles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from portal.access import ROLE_REFUSED, permission_required
from portal.numbers import NumberInputError, format_decimal, parse_decimal
from portal.roles import Perm, Role, user_can
from portal.views.exports import _stream
from raffles import selectors_sellers as figures
from raffles.exceptions import RaffleError
from raffles.models import Raffle, Seller
from raffles.services import sellers


@require_GET
@permission_required(Perm.SELL)
def my_sales(request: HttpRequest) -> HttpResponse:
    """The signed-in seller's page: only their own figures and links."""
    seller = figures.seller_of_user(request.user.pk)
    rows = []
    if seller is not None:
        for raffle in figures.seller_raffles(seller):
            rows.append(
                {
                    "raffle": raffle,
                    "links": figures.seller_links(seller, raffle),
                    "figures": figures.seller_figures(seller, raffle),
                }
            )
    context = {"section": "my-sales", "seller": seller, "rows": rows}
    return render(request, "portal/my_sales.html", context)


def _staff_sellers_without_code() -> list[Any]:
    """Staff with the seller role who have no code yet (owners may give them one)."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, portal_role__role=Role.SELLER)
        .exclude(pk__in=Seller.objects.values("user_id"))
        .order_by("username")
    )


def _id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else 0


def _post(request: HttpRequest, raffle: Raffle) -> str:
    """One owner action; returns the error to show ("" when it worked)."""
    if not user_can(request.user, Perm.MANAGE_RAFFLES):
        raise PermissionDenied(ROLE_REFUSED)
    try:
        if request.POST.get("action") == "add":
            user = get_object_or_404(get_user_model(), pk=_id(request, "user_id"), is_staff=True)
            seller = sellers.save_seller(
                user=user, code=request.POST.get("code", ""), by=request.user
            )
            percent = (request.POST.get("percent") or "").strip()
            if percent:
                sellers.set_commission(
                    seller=seller, raffle=raffle, percent=parse_decimal(percent), by=request.user
                )
        else:
            seller = get_object_or_404(Seller, pk=_id(request, "seller_id"))
            percent_value = parse_decimal(request.POST.get("percent", ""))
            sellers.set_commission(
                seller=seller, raffle=raffle, percent=percent_value, by=request.user
            )
    except NumberInputError as exc:
        return str(exc.message)
    except RaffleError as exc:
        return _(exc.message)
    return ""


@require_http_methods(["GET", "POST"])
@permission_required(Perm.VIEW_SALES)
def raffle_sellers(request: HttpRequest, raffle_id: int) -> HttpResponse:
    """A raffle's sellers, ranked; owners set commissions and give staff a code."""
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    error = ""
    if request.method == "POST":
        error = _post(request, raffle)
        if not error:
            return HttpResponseRedirect(reverse("portal:raffle-sellers", args=[raffle.pk]))
    context = {
        "section": "raffles",
        "title": _("Sellers of %(title)s") % {"title": raffle.title},
        "raffle": raffle,
        "board": figures.leaderboard(raffle),
        "sellers": Seller.objects.select_related("user").order_by("code"),
        "candidates": _staff_sellers_without_code(),
        "error": error,
        "can_manage": user_can(request.user, Perm.MANAGE_RAFFLES),
    }
    return render(request, "portal/raffle_sellers.html", context, status=400 if error else 200)


@require_GET
@permission_required(Perm.EXPORT)
def commissions_csv(request: HttpRequest, raffle_id: int) -> StreamingHttpResponse:
    """The raffle's commissions: one row per seller, money in the staff member's format."""
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    board = figures.leaderboard(raffle)

    def rows() -> Iterator[list[Any]]:
        for f in board:
            yield [
                f.rank,
                f.code,
                f.name,
                f.orders,
                f.numbers,
                format_decimal(f.cash),
                format_decimal(f.online),
                format_decimal(f.confirmed),
                format_decimal(f.percent),
                format_decimal(f.commission),
                raffle.currency,
            ]

    header = [
        pgettext("CSV column", "rank"),
        pgettext("CSV column", "seller code"),
        pgettext("CSV column", "seller"),
        pgettext("CSV column", "paid orders"),
        pgettext("CSV column", "numbers sold"),
        pgettext("CSV column", "cash"),
        pgettext("CSV column", "confirmed online"),
        pgettext("CSV column", "confirmed total"),
        pgettext("CSV column", "commission (%)"),
        pgettext("CSV column", "commission due"),
        pgettext("CSV column", "currency"),
    ]
    return _stream(header, rows(), f"commissions-{raffle.public_id}.csv")
