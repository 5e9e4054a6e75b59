"""The staff audit log (owners: who did what, when, on what and from where) and its CSV, and
a raffle's sales charts. Read-only pages over `raffles.selectors`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from portal import charts
from portal.access import permission_required
from portal.audit import AuditFilterForm, actor_name, audit_row
from portal.roles import Perm
from portal.views.exports import _iso, _stream
from raffles import selectors
from raffles.audit import EventKind
from raffles.models import Raffle

PAGE_SIZE = 50


@require_GET
@permission_required(Perm.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    cursor = selectors.Cursor.parse(request.GET.get("after", ""))
    events, following = selectors.staff_actions_page(form.filters(), after=cursor, size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    next_query = ""
    if following is not None:
        query["after"] = following.token()
        next_query = query.urlencode()
        query.pop("after")
    context: dict[str, Any] = {
        "section": "audit",
        "title": _("Audit log"),
        "form": form,
        "rows": [audit_row(e) for e in events],
        "filter_query": query.urlencode(),
        "next_query": next_query,
        "paged": cursor is not None,
        "zone": timezone.get_current_timezone_name(),
    }
    return render(request, "portal/audit.html", context)


@require_GET
@permission_required(Perm.VIEW_AUDIT)
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    filters = AuditFilterForm(request.GET or None).filters()

    def rows() -> Iterator[list[Any]]:
        labels = dict(EventKind.choices)
        for event in selectors.iter_staff_actions(filters):
            details = event["details"] or {}
            origin = details.get("origin") or {}
            yield [
                _iso(event["created_at"]),
                actor_name(
                    event["actor_type"], event["actor_label"], event["actor_user__username"]
                ),
                event["kind"],
                labels.get(event["kind"], event["kind"]),
                event["order__code"] or "",
                event["raffle__title"] or "",
                details.get("contact", ""),
                origin.get("ip", ""),
                origin.get("user_agent", ""),
            ]

    header = [
        pgettext("CSV column", "time"),
        pgettext("CSV column", "staff member"),
        pgettext("CSV column", "action code"),
        pgettext("CSV column", "action"),
        pgettext("CSV column", "order"),
        pgettext("CSV column", "raffle"),
        pgettext("CSV column", "contact"),
        pgettext("CSV column", "IP address"),
        pgettext("CSV column", "browser"),
    ]
    return _stream(header, rows(), "audit-log.csv")


@require_GET
@permission_required(Perm.VIEW_SALES)
def raffle_sales(request: HttpRequest, raffle_id: int) -> HttpResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    activity = selectors.sales_activity(raffle)
    context: dict[str, Any] = {
        "section": "raffles",
        "title": _("Sales of %(title)s") % {"title": raffle.title},
        "raffle": raffle,
        "activity": activity,
        "daily": charts.daily_values(activity),
        "day_bars": charts.day_bars(activity),
        "hour_bars": charts.hour_bars(activity),
        "money": charts.money_segments(activity),
        "chart": {"width": charts.WIDTH, "height": charts.HEIGHT, "axis": charts.AXIS},
    }
    return render(request, "portal/raffle_sales.html", context)
