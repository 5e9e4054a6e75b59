"""A raffle's prices page: bundles ("3 for 25"), the early-bird price, and its coupons
(list with usage, create, edit the limit and end date, disable, enable). Plain Django
forms; the rules and the audit are `raffles.services.pricing`. Needs the permission to edit
raffles."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.access import permission_required
from portal.pricing_forms import TIER_ROWS, CouponForm, CouponLimitsForm, PricesForm
from portal.roles import Perm
from raffles.exceptions import RaffleError
from raffles.models import Coupon, Raffle
from raffles.pricing import MAX_TIERS
from raffles.services import pricing


def _initial(raffle: Raffle) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "early_bird_price": raffle.early_bird_price,
        "early_bird_until": raffle.early_bird_until,
    }
    for i, tier in enumerate(raffle.tiers, start=1):
        initial[f"tier_{i}_quantity"] = tier.quantity
        initial[f"tier_{i}_price"] = tier.price
    return initial


def _coupon(raffle: Raffle, request: HttpRequest) -> Coupon:
    """The raffle's coupon named by the form (404 for any other, or for no number)."""
    pk = request.POST.get("coupon", "")
    if not pk.isdigit():
        raise Http404("No such coupon")
    return get_object_or_404(Coupon, pk=int(pk), raffle=raffle)


def _error(form: Any, exc: RaffleError, fields: dict[str, str]) -> None:
    field = fields.get(str(exc.fields.get("field") or ""))
    form.add_error(field if field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_RAFFLES)
def raffle_prices(request: HttpRequest, raffle_id: int) -> HttpResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    action = request.POST.get("action", "")
    rows = min(max(TIER_ROWS, len(raffle.tiers) + 1), MAX_TIERS)
    prices_form = PricesForm(
        request.POST if action == "prices" else None, initial=_initial(raffle), rows=rows
    )
    coupon_form = CouponForm(request.POST if action == "coupon" else None)
    here = reverse("portal:raffle-prices", args=[raffle.pk])
    if action == "prices" and prices_form.is_valid():
        tiers = prices_form.tiers()
        if prices_form.is_valid():
            try:
                pricing.set_prices(
                    raffle=raffle,
                    tiers=tiers,
                    early_bird_price=prices_form.cleaned_data["early_bird_price"],
                    early_bird_until=prices_form.cleaned_data["early_bird_until"],
                    by=request.user,
                )
            except RaffleError as exc:
                _error(
                    prices_form,
                    exc,
                    {
                        "tiers": "tier_1_quantity",
                        "early_bird_price": "early_bird_price",
                        "early_bird_until": "early_bird_until",
                    },
                )
            else:
                return HttpResponseRedirect(here + "?saved=1")
    if action == "coupon" and coupon_form.is_valid():
        try:
            pricing.create_coupon(raffle=raffle, by=request.user, **coupon_form.cleaned_data)
        except RaffleError as exc:
            _error(coupon_form, exc, {n: n for n in coupon_form.fields})
        else:
            return HttpResponseRedirect(here + "?saved=1")
    coupons = list(raffle.coupons.order_by("code"))
    edit_forms = {c.pk: CouponLimitsForm(coupon=c) for c in coupons}
    if action == "edit":
        coupon = _coupon(raffle, request)
        edit_form = edit_forms[coupon.pk] = CouponLimitsForm(request.POST, coupon=coupon)
        if edit_form.is_valid():
            try:
                pricing.update_coupon(coupon=coupon, by=request.user, **edit_form.cleaned_data)
            except RaffleError as exc:
                _error(edit_form, exc, {n: n for n in edit_form.fields})
            else:
                return HttpResponseRedirect(here + "?saved=1")
    if action in ("disable", "enable"):
        coupon = _coupon(raffle, request)
        pricing.set_coupon_active(coupon=coupon, active=action == "enable", by=request.user)
        return HttpResponseRedirect(here)
    examples = [
        (qty, raffle.quote(qty))
        for qty in sorted({1, 2, 3, 4, 5, 10})
        if qty <= raffle.max_tickets_per_order
    ]
    context: dict[str, Any] = {
        "section": "raffles",
        "title": _("Prices and coupons"),
        "raffle": raffle,
        "prices_form": prices_form,
        "coupon_form": coupon_form,
        "coupons": [(c, edit_forms[c.pk]) for c in coupons],
        "examples": examples,
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "portal/prices.html", context)
