"""CSV exports, streamed row by row (a 100,000-order export never sits in memory)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from portal.access import permission_required
from portal.queries import OrderFilter, search_orders, sold_tickets
from portal.roles import Perm
from raffles.models import Raffle

CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text typed by buyers (names come from WhatsApp)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _stream(header: list[str], rows: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM: spreadsheet apps then read UTF-8 names correctly
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _iso(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


@require_GET
@permission_required(Perm.EXPORT)
def orders_csv(request: HttpRequest) -> StreamingHttpResponse:
    filters = OrderFilter.from_query(request.GET)
    orders = search_orders(filters).prefetch_related("order_tickets")

    def rows() -> Iterator[list[Any]]:
        for order in orders.iterator(chunk_size=CHUNK):
            numbers = " ".join(
                order.raffle.format_number(t.number) for t in order.order_tickets.all()
            )
            yield [
                order.code,
                order.raffle.title,
                order.get_status_display(),
                order.buyer.name,
                order.buyer.phone or "",
                order.qty,
                numbers,
                order.total_amount,
                order.raffle.currency,
                _iso(order.created_at),
                _iso(order.expires_at),
                _iso(order.paid_at),
                _iso(order.closed_at),
                order.confirmed_by.get_username() if order.confirmed_by else "",
            ]

    header = [
        pgettext("CSV column", "code"),
        pgettext("CSV column", "raffle"),
        pgettext("CSV column", "status"),
        pgettext("CSV column", "buyer_name"),
        pgettext("CSV column", "buyer_phone"),
        pgettext("CSV column", "qty"),
        pgettext("CSV column", "numbers"),
        pgettext("CSV column", "total"),
        pgettext("CSV column", "currency"),
        pgettext("CSV column", "created_at"),
        pgettext("CSV column", "expires_at"),
        pgettext("CSV column", "paid_at"),
        pgettext("CSV column", "closed_at"),
        pgettext("CSV column", "confirmed_by"),
    ]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _stream(header, rows(), f"orders-{stamp}.csv")


@require_GET
@permission_required(Perm.EXPORT)
def sold_numbers_csv(request: HttpRequest, raffle_id: int) -> StreamingHttpResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)

    def rows() -> Iterator[list[Any]]:
        for ticket in sold_tickets(raffle).iterator(chunk_size=CHUNK):
            order = ticket.reserved_by_order
            yield [
                raffle.format_number(ticket.number),
                order.code if order else "",
                order.buyer.name if order else "",
                (order.buyer.phone or "") if order else "",
                _iso(order.paid_at) if order else "",
            ]

    header = [
        pgettext("CSV column", "number"),
        pgettext("CSV column", "order"),
        pgettext("CSV column", "buyer_name"),
        pgettext("CSV column", "buyer_phone"),
        pgettext("CSV column", "paid_at"),
    ]
    return _stream(header, rows(), f"raffle-{raffle.pk}-sold-numbers.csv")
