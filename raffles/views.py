"""The public draw verification page: no login, nothing secret before the draw. The same
page as the live draw page (`raffles.public.draw_views`), under its first address."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from raffles.models import Draw, Raffle
from raffles.public.draw_views import render_draw_page
from raffles.selectors import draw_summary


def _public_raffle(public_id: str) -> Raffle:
    """Any raffle that was ever activated (drafts are not public)."""
    return get_object_or_404(
        Raffle.objects.exclude(status=Raffle.Status.DRAFT), public_id=public_id
    )


@login_not_required
@require_safe
def draw_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    raffle = _public_raffle(public_id)
    return render_draw_page(request, raffle, draw_summary(raffle))


@login_not_required
@require_safe
def draw_entries(request: HttpRequest, public_id: str) -> HttpResponse:
    """The frozen list, byte for byte: `sha256sum` of this file is the published hash."""
    raffle = _public_raffle(public_id)
    draw = Draw.objects.filter(raffle=raffle, frozen_at__isnull=False).first()
    if draw is None:
        raise Http404("The list of numbers is not frozen yet")
    response = HttpResponse(draw.entries.encode(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="entries-{raffle.public_id}.txt"'
    return response
