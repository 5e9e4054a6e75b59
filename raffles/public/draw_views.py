"""The public live draw pages (no login): /r/<ref>/draw/ for the main draw and
/r/<ref>/draw/early/<id>/ for an early-bird draw. Before the draw they show the method, its
recipe, the commitment or the fallback, the entries count, and wait: a small script polls
`state.json` and reveals the winners when staff draw. Afterwards the same page is the
permanent record. Thin: the data comes from `raffles.selectors`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from raffles import draw_lottery
from raffles.models import EarlyDraw, Raffle
from raffles.public import selectors as public_selectors
from raffles.public.views import _chosen_language, _remember, raffle_or_404
from raffles.selectors import DrawSummary, draw_summary, early_draw_summaries, summary_of

STATE_MAX_AGE = 2  # seconds a browser or a proxy may reuse the state without asking


def _early(raffle: Raffle, early: int) -> EarlyDraw:
    found = EarlyDraw.objects.filter(raffle=raffle, pk=early).first()
    if found is None:
        raise Http404("No such early-bird draw")
    return found


def render_draw_page(
    request: HttpRequest, raffle: Raffle, summary: DrawSummary | None
) -> HttpResponse:
    """The draw page of `summary` (None: the raffle has no draw yet)."""
    chosen = _chosen_language(request)
    context = {
        "raffle": public_selectors.raffle_page(raffle),
        "draw": summary,
        "early_draws": [] if summary is None or summary.early_id else early_draw_summaries(raffle),
        "languages": settings.LANGUAGES,
        "fallbacks": draw_lottery.FALLBACKS,
        "page_url": public_selectors.public_page_url(raffle),
    }
    response = render(request, "raffles/public/draw.html", context)
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    return _remember(response, chosen)


@login_not_required
@require_safe
def live_draw(request: HttpRequest, ref: str) -> HttpResponse:
    raffle = raffle_or_404(ref)
    return render_draw_page(request, raffle, draw_summary(raffle))


@login_not_required
@require_safe
def early_live_draw(request: HttpRequest, ref: str, early: int) -> HttpResponse:
    raffle = raffle_or_404(ref)
    found = _early(raffle, early)
    return render_draw_page(request, raffle, summary_of(raffle, found, early=found))


def _state(summary: DrawSummary | None) -> JsonResponse:
    if summary is None:
        raise Http404("No draw yet")
    response = JsonResponse(
        {
            "stage": summary.stage,
            "awaiting_result": summary.awaiting_result,
            "results": len(summary.lottery_results),
            "entries_count": summary.entries_count,
            "winners": [
                {"prize": w.prize, "number": w.label, "prize_name": w.prize_name}
                for w in summary.winners
            ],
        }
    )
    response["Cache-Control"] = f"public, max-age={STATE_MAX_AGE}"
    return response


@login_not_required
@require_safe
def draw_state(request: HttpRequest, ref: str) -> JsonResponse:
    """What the waiting page polls: the stage and, once drawn, the winners."""
    return _state(draw_summary(raffle_or_404(ref)))


@login_not_required
@require_safe
def early_draw_state(request: HttpRequest, ref: str, early: int) -> JsonResponse:
    raffle = raffle_or_404(ref)
    found = _early(raffle, early)
    return _state(summary_of(raffle, found, early=found))


@login_not_required
@require_safe
def early_entries(request: HttpRequest, ref: str, early: int) -> HttpResponse:
    """An early-bird draw's frozen list, byte for byte."""
    raffle = raffle_or_404(ref)
    found = _early(raffle, early)
    if not found.is_frozen:
        raise Http404("The list of numbers is not frozen yet")
    response = HttpResponse(found.entries.encode(), content_type="text/plain; charset=utf-8")
    name = f"entries-{raffle.public_id}-early-{found.pk}.txt"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
