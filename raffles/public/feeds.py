"""The board's JSON feed (one block, ETag/Last-Modified, 304) and the QR codes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from raffles.public import board, links, qr, selectors, tickets
from raffles.public import version as versions
from raffles.public.views import raffle_or_404, seller_code

FEED_MAX_AGE = 2  # seconds a browser or a proxy may reuse a block without asking


def _not_modified(request: HttpRequest, etag: str, last_modified: int) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in {tag.strip() for tag in match.split(",")} or match.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and last_modified <= since


@login_not_required
@require_safe
def board_feed(request: HttpRequest, ref: str) -> HttpResponse:
    raffle = raffle_or_404(ref)
    try:
        index = int(request.GET.get("block", "0"))
    except ValueError:
        index = -1
    if not 0 <= index < board.block_count(raffle):
        raise Http404("No such block")
    version = versions.current(raffle)
    etag = f'"{raffle.pk}-{index}-{version.tag}"'
    last_modified = int(version.changed_at.timestamp())
    if _not_modified(request, etag, last_modified):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse(board.feed(raffle, index, version))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


def _qr_response(data: str, fmt: str, *, public: bool = True) -> HttpResponse:
    if fmt not in qr.FORMATS:
        raise Http404("No such format")
    response = HttpResponse(qr.render(data, fmt), content_type=qr.FORMATS[fmt])
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


@login_not_required
@require_safe
def raffle_qr(request: HttpRequest, ref: str, target: str, fmt: str) -> HttpResponse:
    """A QR of the page (`page`) or of its WhatsApp link (`whatsapp`); with `?s=CODE` (a
    seller's), of the seller's personal link."""
    raffle = raffle_or_404(ref)
    seller = seller_code(request)
    if target == "page":
        page = selectors.public_page_url(raffle)
        return _qr_response(f"{page}?s={seller}" if seller else page, fmt)
    ref_name = selectors.raffle_ref(raffle)
    text = links.with_seller(links.prefilled_text(ref_name, raffle.number_width), seller)
    url = links.whatsapp_url(text)
    if target != "whatsapp" or not url:
        raise Http404("No WhatsApp number")
    return _qr_response(url, fmt)


@login_not_required
@require_safe
def prize_photo(request: HttpRequest, ref: str) -> FileResponse:
    """The prize photo of a public raffle (kept privately; served here only while the raffle
    itself is public)."""
    raffle = raffle_or_404(ref)
    if not raffle.prize_photo:
        raise Http404("No prize photo")
    try:
        handle = raffle.prize_photo.open("rb")
    except OSError:
        raise Http404("No prize photo") from None
    response = FileResponse(handle, content_type=_photo_type(raffle.prize_photo.name or ""))
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _photo_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp"}.get(suffix, "image/jpeg")


@login_not_required
@require_safe
def ticket_qr(request: HttpRequest, ref: str, token: str, fmt: str) -> HttpResponse:
    raffle = raffle_or_404(ref)
    order = tickets.order_for_token(raffle, token)
    if order is None:
        raise Http404("No such ticket")
    return _qr_response(tickets.ticket_url(order), fmt, public=False)
