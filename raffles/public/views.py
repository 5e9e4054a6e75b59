"""The public raffle page, the "my numbers" lookup and the e-ticket. Thin: the data comes
from `raffles.public.selectors`; the page is cached per raffle, version and language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from raffles.models import Raffle, Seller
from raffles.public import links, selectors, throttle, tickets
from raffles.public import version as versions
from raffles.public.memo import Memo
from raffles.services import sellers

PAGE_SECONDS = 300
_pages = Memo(5.0, size=512)
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


_raffles = Memo(2.0, size=1024)


def raffle_or_404(ref: str) -> Raffle:
    """The public raffle `ref` names. Kept in this process for two seconds: a launch asks the
    same raffle thousands of times a second (a raffle unpublished meanwhile goes 404 within
    that time)."""
    raffle: Raffle | None = _raffles.get(ref)
    if raffle is None:
        raffle = selectors.public_raffle(ref)
        if raffle is None:
            raise Http404("No such raffle")
        _raffles.set(ref, raffle)
    return raffle


def _chosen_language(request: HttpRequest) -> str | None:
    """?lang=es switches the page's language (and remembers it in the language cookie)."""
    code = (request.GET.get("lang") or "").lower()
    if code in LANGUAGE_CODES:
        translation.activate(code)
        request.LANGUAGE_CODE = code
        return code
    return None


def _remember(response: HttpResponse, code: str | None) -> HttpResponse:
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
        )
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


_seller_codes = Memo(30.0, size=1024)


def seller_code(request: HttpRequest) -> str:
    """`?s=ANA`: a seller's code, kept only when a seller has it (the page then carries it
    into its WhatsApp messages and shows nothing else about the seller)."""
    code = sellers.clean_code(request.GET.get("s", ""))
    if not code:
        return ""
    known = _seller_codes.get(code)
    if known is None:
        known = Seller.objects.filter(code=code).exists()
        _seller_codes.set(code, known)
    return code if known else ""


def page_context(request: HttpRequest, raffle: Raffle) -> dict[str, object]:
    info = selectors.raffle_page(raffle)
    page_url = selectors.public_page_url(raffle)
    seller = seller_code(request)
    wa_text = links.with_seller(links.prefilled_text(info.ref, info.width), seller)
    return {
        "raffle": info,
        "page_url": page_url,
        "public_base": settings.PUBLIC_BASE_URL,
        "wa_base": links.whatsapp_base(),
        "wa_url": links.whatsapp_url(wa_text),
        "messages": links.templates(info.ref, seller),
        "blocks": (info.size + 999) // 1000,
        "languages": settings.LANGUAGES,
        "draw_url": reverse("raffles-public:draw", kwargs={"ref": info.ref}),
    }


@login_not_required
@require_safe
def raffle_page(request: HttpRequest, ref: str) -> HttpResponse:
    raffle = raffle_or_404(ref)
    chosen = _chosen_language(request)
    version = versions.current(raffle)
    lang = translation.get_language() or settings.LANGUAGE_CODE
    key = f"public:page:{raffle.pk}:{version.tag}:{lang}:{ref}:{seller_code(request)}"
    html = _pages.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = render_to_string(
                "raffles/public/raffle.html", page_context(request, raffle), request=request
            )
            cache.set(key, html, PAGE_SECONDS)
        _pages.set(key, html)
    response = HttpResponse(html)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return _remember(response, chosen)


@login_not_required
@require_safe
def legacy_redirect(request: HttpRequest, public_id: str) -> HttpResponse:
    """/raffles/<public id>/ (the links in notifications) → /r/<public id>/."""
    raffle = raffle_or_404(public_id)
    return redirect("raffles-public:page", ref=raffle.public_id, permanent=True)


@login_not_required
@require_safe
def legacy_ticket(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    raffle = raffle_or_404(public_id)
    return redirect("raffles-public:ticket", ref=raffle.public_id, token=token)


@login_not_required
@csrf_exempt  # a read behind a rate limit: no state a forged request could change
@require_POST
def lookup(request: HttpRequest, ref: str) -> HttpResponse:
    """ "My numbers": order code plus the phone's last four digits → the e-ticket. One answer
    for a wrong code, a wrong phone and a phone we never saw."""
    raffle = raffle_or_404(ref)
    chosen = _chosen_language(request)
    if not throttle.allow(f"{throttle.client_ip(request)}:{raffle.pk}"):
        response = render(
            request,
            "raffles/public/lookup.html",
            {"raffle": raffle, "limited": True, "languages": settings.LANGUAGES},
            status=429,
        )
        return _remember(response, chosen)
    order = selectors.lookup_order(
        raffle, request.POST.get("code", ""), request.POST.get("phone", "")
    )
    if order is not None:
        return HttpResponseRedirect(tickets.ticket_path(order))
    response = render(
        request,
        "raffles/public/lookup.html",
        {"raffle": raffle, "limited": False, "languages": settings.LANGUAGES},
    )
    return _remember(response, chosen)


@login_not_required
@require_safe
def ticket(request: HttpRequest, ref: str, token: str) -> HttpResponse:
    raffle = raffle_or_404(ref)
    chosen = _chosen_language(request)
    order = tickets.order_for_token(raffle, token)
    if order is None:
        raise Http404("No such ticket")
    context = {
        "raffle": selectors.raffle_page(raffle),
        "ticket": selectors.ticket_view(order),
        "token": token,
        "ticket_url": settings.PUBLIC_BASE_URL + request.path,
        "languages": settings.LANGUAGES,
        "draw_url": reverse("raffles:draw", kwargs={"public_id": raffle.public_id}),
    }
    response = render(request, "raffles/public/ticket.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return _remember(response, chosen)
