"""/api/payments/: bank statement import (CSV or OFX, answered line by line), the lines
waiting for staff, and assigning a line to orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from raffles import selectors, services
from raffles.api.common import Id, Pagination, actor, id_path, read, write
from raffles.models import Order, StatementLine, StatementMapping

router = Router(tags=["payments"])


class StatementLineResultOut(Schema):
    row: int = Field(description="The line of the file (1 = first).")
    status: Literal[
        "confirmed", "suggested", "flagged", "unmatched", "duplicate", "ignored", "invalid"
    ]
    date: date | None
    amount: Decimal | None
    description: str
    orders: list[str] = Field(description="Codes of the orders the line names.")
    reason: str = Field(
        description="Why a line is flagged (partial, overpaid, already_paid, not_payable,"
        " currency, numbers_taken) or invalid; for a duplicate, the first import's state."
    )
    line_id: int | None = Field(description="The stored line (null when not stored).")


class StatementCountsOut(Schema):
    lines: int
    confirmed: int
    suggested: int
    flagged: int
    unmatched: int
    duplicate: int
    ignored: int
    invalid: int


class StatementImportOut(Schema):
    statement_id: int
    format: Literal["csv", "ofx"]
    counts: StatementCountsOut
    lines: list[StatementLineResultOut]


class StatementLineOut(Schema):
    id: int
    statement_id: int
    row: int
    date: date | None
    amount: Decimal
    currency: str
    description: str
    reference: str
    state: str
    reason: str
    orders: list[str]

    @staticmethod
    def resolve_orders(line: StatementLine) -> list[str]:
        return [o.code for o in line.orders.all()]


class AssignLineIn(Schema):
    orders: list[Id] = Field(
        default_factory=list,
        max_length=20,
        description="Order ids the line paid; empty: the orders it names.",
    )


@router.post("/statements/", response=write(StatementImportOut, 404, status=201))
def import_statement(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[Literal["", "csv", "ofx"]] = "",
    mapping: Form[str] = "",
) -> Status[services.ImportResult]:
    """Import a bank statement (multipart `file`, CSV or OFX; `format` when the file does
    not say; `mapping`: the name of a saved bank column mapping). Each line is matched to
    orders by the order code in its description and the exact amount; lines seen before
    count as duplicates and change nothing."""
    saved = None
    if mapping:
        saved = StatementMapping.objects.filter(name=mapping).first()
        if saved is None:
            raise Http404(f"No saved column mapping named {mapping}")
    result = services.import_statement(
        content=file.read(),
        filename=file.name or "",
        format=format,
        mapping=saved,
        by=actor(request),
    )
    return Status(201, result)


@router.get("/statement-lines/", response=read(list[StatementLineOut]))
@paginate(Pagination)
def list_statement_lines(request: HttpRequest) -> QuerySet[StatementLine]:
    """Statement lines waiting for staff (suggested, flagged, unmatched), oldest first."""
    return selectors.open_statement_lines()


@router.post("/statement-lines/{line_id}/assign/", response=write(StatementLineOut, 404, 409))
def assign_statement_line(
    request: HttpRequest,
    line_id: int = id_path("Statement line id."),
    payload: AssignLineIn | None = None,
) -> StatementLine:
    """The line paid these orders (default: the ones it names): each is confirmed as paid."""
    line = StatementLine.objects.filter(pk=line_id).first()
    if line is None:
        raise Http404(f"Statement line {line_id} does not exist")
    ids = payload.orders if payload else []
    orders = list(Order.objects.filter(pk__in=ids))
    if len(orders) != len(set(ids)):
        raise Http404("Some of these orders do not exist")
    services.assign_statement_line(line, orders=orders, by=actor(request))
    line.refresh_from_db()
    return line
