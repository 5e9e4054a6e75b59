"""A raffle's prize photo (upload, remove, view: staff only, never a public URL) and its
winners' prize claims (list, change status, note). Plain Django forms; every write goes
through a raffles service, which audits it."""

from __future__ import annotations

from typing import Any

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.access import ROLE_REFUSED, permission_required, staff_required
from portal.forms import ClaimUpdateForm, PrizePhotoForm
from portal.roles import Perm, user_can
from raffles import selectors, services
from raffles.exceptions import RaffleError
from raffles.models import Raffle, WinnerClaim


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_RAFFLES)
def prize_photo(request: HttpRequest, raffle_id: int) -> HttpResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    form = PrizePhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("photo")
        try:
            remove = form.cleaned_data.get("remove")
            content = None if remove or upload is None else upload.read()
            services.set_prize_photo(raffle, content=content, by=request.user)
        except RaffleError as exc:
            form.add_error("photo", exc.message)
        else:
            return HttpResponseRedirect(reverse("portal:raffle-edit", args=[raffle.pk]))
    context: dict[str, Any] = {
        "section": "raffles",
        "title": _("Prize photo"),
        "raffle": raffle,
        "form": form,
    }
    return render(request, "portal/prize_photo.html", context)


@require_GET
@staff_required
def prize_photo_file(request: HttpRequest, raffle_id: int) -> FileResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    photo = services.prize_photo_bytes(raffle)
    if photo is None:
        raise Http404("No prize photo")
    content, mime_type = photo
    response = FileResponse(iter([content]), content_type=mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
@permission_required(Perm.VIEW_ORDERS)
def claims(request: HttpRequest, raffle_id: int) -> HttpResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    if request.method == "POST":
        if not user_can(request.user, Perm.MANAGE_RAFFLES):
            return HttpResponseForbidden(ROLE_REFUSED)
        claim = get_object_or_404(WinnerClaim, pk=request.POST.get("claim"), raffle=raffle)
        form = ClaimUpdateForm(request.POST)
        if form.is_valid():
            services.update_claim(
                claim,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        return HttpResponseRedirect(reverse("portal:raffle-claims", args=[raffle.pk]))
    now = timezone.now()
    rows = [
        {
            "claim": claim,
            "status": claim.effective_status(now),
            "form": ClaimUpdateForm(
                initial={"status": claim.effective_status(now), "note": claim.staff_note}
            ),
        }
        for claim in selectors.raffle_claims(raffle)
    ]
    context: dict[str, Any] = {
        "section": "raffles",
        "title": _("Prize claims"),
        "raffle": raffle,
        "rows": rows,
    }
    return render(request, "portal/claims.html", context)
