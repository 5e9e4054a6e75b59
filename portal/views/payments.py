"""Payments pages: a raffle's payment methods (Pix data included), bank statements
(upload, saved column mappings, and the queue of lines waiting for staff: assign a line to
an order in one click, confirm a suggestion, or discard), and the payments by link that wait
for staff (paid late, wrong amount, refunded, charged back: mark handled). Plain Django
forms; every write goes through a raffles service, which audits it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import ROLE_REFUSED, permission_required
from portal.payment_forms import AssignLineForm, MappingForm, PaymentSetupForm, StatementUploadForm
from portal.roles import Perm, user_can
from raffles import selectors, services
from raffles.exceptions import RaffleError
from raffles.models import LinkPayment, Order, Raffle, StatementLine, StatementMapping
from raffles.payments.setup import setup_of


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_RAFFLES)
def payment_setup(request: HttpRequest, raffle_id: int) -> HttpResponse:
    raffle = get_object_or_404(Raffle, pk=raffle_id)
    setup = setup_of(raffle)
    initial = {
        "methods": setup.methods,
        "pix_key": setup.pix_key,
        "pix_merchant_name": setup.pix_merchant_name,
        "pix_merchant_city": setup.pix_merchant_city,
        "statement_matching": setup.statement_matching,
    }
    form = PaymentSetupForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_payment_setup(raffle, **form.cleaned_data, by=request.user)
        except RaffleError as exc:
            form.add_error(exc.fields.get("field") or None, exc.message)
        else:
            saved = True
    context: dict[str, Any] = {
        "section": "raffles",
        "title": _("Payment methods"),
        "raffle": raffle,
        "form": form,
        "saved": saved,
    }
    return render(request, "portal/payment_setup.html", context)


def _queue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "section": "review",
        "title": _("Bank statements"),
        "lines": list(selectors.open_statement_lines()[:200]),
        "mappings": StatementMapping.objects.all(),
        "can_review": user_can(request.user, Perm.REVIEW_PAYMENTS),
        "upload_form": StatementUploadForm(),
        "mapping_form": MappingForm(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@permission_required(Perm.VIEW_PAYMENTS)
def statements(request: HttpRequest) -> HttpResponse:
    """The upload form, the last import's results and the lines waiting for staff."""
    extra: dict[str, Any] = {}
    if request.method == "POST":
        if not user_can(request.user, Perm.REVIEW_PAYMENTS):
            return HttpResponseForbidden(ROLE_REFUSED)
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                extra["result"] = services.import_statement(
                    content=upload.read(),
                    filename=upload.name or "",
                    format=form.cleaned_data.get("format") or "",
                    mapping=form.cleaned_data.get("mapping"),
                    by=request.user,
                )
            except RaffleError as exc:
                form.add_error("file", exc.message)
        extra["upload_form"] = form
    return render(request, "portal/statements.html", _queue_context(request, **extra))


@require_POST
@permission_required(Perm.REVIEW_PAYMENTS)
def statement_mapping(request: HttpRequest) -> HttpResponse:
    form = MappingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_statement_mapping(
                name=data["name"],
                date_column=data["date_column"],
                description_columns=data["description_columns"].split(","),
                amount_column=data["amount_column"],
                decimal=data["decimal"],
                date_order=data["date_order"],
                by=request.user,
            )
        except RaffleError as exc:
            form.add_error(None, exc.message)
        else:
            return HttpResponseRedirect(reverse("portal:statements"))
    return render(request, "portal/statements.html", _queue_context(request, mapping_form=form))


@require_POST
@permission_required(Perm.REVIEW_PAYMENTS)
def statement_line(request: HttpRequest, line_id: int) -> HttpResponse:
    """Assign (to the typed order code, else the orders the line names) or discard."""
    line = get_object_or_404(StatementLine, pk=line_id)
    error = ""
    try:
        if request.POST.get("action") == "discard":
            services.discard_statement_line(line, by=request.user)
        else:
            form = AssignLineForm(request.POST)
            code = (form.data.get("code") or "").strip().upper()
            orders = []
            if code:
                order = Order.objects.filter(code=code).first()
                if order is None:
                    raise RaffleError(_("There is no order %(code)s.") % {"code": code})
                orders = [order]
            services.assign_statement_line(line, orders=orders, by=request.user)
    except RaffleError as exc:
        error = exc.message
    if error:
        context = _queue_context(request, line_error=error, error_line=line.pk)
        return render(request, "portal/statements.html", context, status=400)
    return HttpResponseRedirect(reverse("portal:statements"))


@require_GET
@permission_required(Perm.VIEW_PAYMENTS)
def link_payments(request: HttpRequest) -> HttpResponse:
    """Payments by link flagged for staff and not yet handled, with the reason in words."""
    context: dict[str, Any] = {
        "section": "review",
        "title": _("Flagged payment-link payments"),
        "payments": list(selectors.flagged_link_payments()[:200]),
        "can_review": user_can(request.user, Perm.REVIEW_PAYMENTS),
    }
    return render(request, "portal/link_payments.html", context)


@require_POST
@permission_required(Perm.REVIEW_PAYMENTS)
def link_payment_handled(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = get_object_or_404(LinkPayment, pk=payment_id)
    services.mark_link_payment_handled(payment, by=request.user)
    return HttpResponseRedirect(reverse("portal:link-payments"))
