"""Bank statements: import a file (each line stored once, matched to orders, exact matches
confirmed or suggested as each raffle's setup says), and staff's answers to the lines that
wait (assign to orders, confirm a suggestion, discard). Every decision is audited with the
line that caused it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from raffles.audit import EventKind
from raffles.exceptions import (
    InvalidInput,
    StatementLineConflict,
)
from raffles.models import Order
from raffles.payment_models import StatementMatching
from raffles.payments import matching
from raffles.payments.setup import setup_of
from raffles.payments.statements import Mapping, ParsedLine, StatementFormatError, parse
from raffles.services.actors import ActorLike, as_actor
from raffles.services.events import log_event
from raffles.services.orders import confirm_paid
from raffles.services.statement_batches import Decided, write_batch
from raffles.statement_models import (
    LineState,
    StatementImport,
    StatementLine,
    StatementMapping,
)

CHUNK = 500
BATCH = 100  # lines written (and confirmed) per transaction: writers wait at most one batch
MAX_FILE = 5 * 1024 * 1024
COUNTED = ("confirmed", "suggested", "flagged", "unmatched", "duplicate", "ignored", "invalid")


@dataclass
class LineResult:
    row: int
    status: str  # confirmed, suggested, flagged, unmatched, duplicate, ignored, invalid
    date: date | None = None
    amount: Decimal | None = None
    description: str = ""
    orders: list[str] = field(default_factory=list)
    reason: str = ""
    line_id: int | None = None


@dataclass
class ImportResult:
    statement_id: int
    format: str
    counts: dict[str, int]
    lines: list[LineResult]


def _mapping(row: StatementMapping | None) -> Mapping | None:
    if row is None:
        return None
    return Mapping(
        date_column=row.date_column,
        description_columns=tuple(row.description_columns),
        amount_column=row.amount_column,
        decimal=row.decimal or None,
        date_order=row.date_order or None,
        delimiter=row.delimiter or None,
    )


def _chunks[T](items: Sequence[T]) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _facts(order: Order) -> matching.OrderFacts:
    setup = setup_of(order.raffle)
    return matching.OrderFacts(
        code=order.code,
        total=order.total_amount,
        currency=order.raffle.currency,
        payable=order.accepts_proof,
        paid=order.status == Order.Status.PAID,
        automatic=setup.statement_matching == StatementMatching.AUTOMATIC,
    )


def _orders_named(codes: Iterable[str]) -> dict[str, Order]:
    wanted = sorted(set(codes))
    found: dict[str, Order] = {}
    for chunk in _chunks(wanted):
        qs = Order.objects.filter(code__in=chunk).select_related("raffle", "raffle__payment_setup")
        found.update({o.code: o for o in qs})
    return found


def _existing(fingerprints: Sequence[str]) -> dict[str, StatementLine]:
    found: dict[str, StatementLine] = {}
    for chunk in _chunks(fingerprints):
        found.update(
            (line.fingerprint, line)
            for line in StatementLine.objects.filter(fingerprint__in=chunk).prefetch_related(
                "orders"
            )
        )
    return found


def import_statement(
    *,
    content: bytes,
    filename: str = "",
    format: str = "",
    mapping: StatementMapping | None = None,
    by: ActorLike = None,
) -> ImportResult:
    """Read a CSV or OFX statement and match its lines. A line seen before (same date,
    amount, description and bank id) is counted as a duplicate and changes nothing."""
    if not content:
        raise InvalidInput("The statement file is empty", field="file")
    if len(content) > MAX_FILE:
        raise InvalidInput("The statement file is larger than 5 MB", field="file")
    try:
        parsed = parse(content, format=format, filename=filename, mapping=_mapping(mapping))
    except StatementFormatError as exc:
        raise InvalidInput(f"The statement cannot be read: {exc}", field="file") from None
    actor = as_actor(by)
    statement = StatementImport.objects.create(
        created_by_id=getattr(actor.user, "pk", None),
        actor_label=actor.label,
        filename=filename[:255],
        format=parsed.format,
        mapping=mapping,
    )
    keys = [
        matching.fingerprint(
            when=p.date, amount=p.amount, description=p.description, reference=p.reference
        )
        for p in parsed.lines
    ]
    prints = [
        matching.fingerprint(
            when=p.date,
            amount=p.amount,
            description=p.description,
            reference=p.reference,
            nth=nth,
        )
        for p, nth in zip(parsed.lines, matching.numbered(keys), strict=True)
    ]
    seen = _existing(prints)
    codes = {p.row: matching.candidate_codes(p.description) for p in parsed.lines}
    orders = _orders_named(c for found in codes.values() for c in found)
    results = []
    batch: list[Decided] = []
    named_in_batch: set[str] = set()
    for line, fingerprint in zip(parsed.lines, prints, strict=True):
        result = LineResult(line.row, "", line.date, line.amount, line.description)
        results.append(result)
        if line.error or line.amount is None:
            result.status, result.reason = "invalid", line.error or "no amount"
            continue
        if line.amount <= 0:
            result.status = "ignored"
            continue
        if fingerprint in seen:
            _as_duplicate(result, seen[fingerprint])
            continue
        named = [c for c in codes[line.row] if c in orders]
        if len(batch) >= BATCH or named_in_batch.intersection(named):
            # an earlier line may pay one of these orders: decide this one after it is written
            write_batch(statement, batch)
            orders |= _orders_named(named_in_batch)
            batch, named_in_batch = [], set()
        batch.append(_decided(line, fingerprint, codes[line.row], orders, result))
        named_in_batch.update(named)
    write_batch(statement, batch)
    counts: dict[str, Any] = {name: sum(1 for r in results if r.status == name) for name in COUNTED}
    counts["lines"] = len(results)
    statement.counts = counts
    statement.save(update_fields=["counts"])
    log_event(
        kind=EventKind.STATEMENT_IMPORTED,
        by=by,
        statement=statement.pk,
        filename=statement.filename,
        format=parsed.format,
        **counts,
    )
    return ImportResult(statement.pk, parsed.format, counts, results)


def _as_duplicate(result: LineResult, line: StatementLine) -> None:
    result.status = "duplicate"
    result.line_id = line.pk
    result.orders = [o.code for o in line.orders.all()]
    result.reason = line.state


def _decided(
    parsed: ParsedLine,
    fingerprint: str,
    codes: Sequence[str],
    orders: dict[str, Order],
    result: LineResult,
) -> Decided:
    assert parsed.amount is not None
    named = [orders[c] for c in codes if c in orders]
    facts = {o.code: _facts(o) for o in named}
    decision = matching.decide(parsed.amount, parsed.currency, codes, facts)
    return Decided(
        parsed=parsed,
        fingerprint=fingerprint,
        decision=decision,
        orders=[orders[c] for c in decision.codes],
        automatic=all(facts[c].automatic for c in decision.codes),
        result=result,
    )


def _open_line(line: StatementLine) -> StatementLine:
    fresh = StatementLine.objects.select_for_update().get(pk=line.pk)
    if not fresh.is_open:
        raise StatementLineConflict(
            f"This statement line is already {fresh.get_state_display().lower()}",
            state=fresh.state,
        )
    return fresh


def assign_statement_line(
    line: StatementLine, *, orders: Sequence[Order] = (), by: ActorLike = None
) -> StatementLine:
    """Staff decide: the line paid these orders (its suggested or flagged orders when none
    are given). Each is confirmed as paid (receipts go out); all or none."""
    with transaction.atomic():
        line = _open_line(line)
        chosen = list(orders) or list(line.orders.all())
        if not chosen:
            raise StatementLineConflict("Choose the order this line paid", state=line.state)
        details = line.as_details()
        for order in chosen:
            confirm_paid(order, by=by)
            log_event(kind=EventKind.STATEMENT_ASSIGNED, by=by, order=order, **details)
        line.orders.set(chosen)
        StatementLine.objects.filter(pk=line.pk).update(
            state=LineState.CONFIRMED,
            resolved_by=as_actor(by).user,
            resolved_at=timezone.now(),
        )
    line.refresh_from_db()
    return line


def discard_statement_line(line: StatementLine, *, by: ActorLike = None) -> StatementLine:
    """Staff set a line aside (not a payment for any order)."""
    with transaction.atomic():
        line = _open_line(line)
        StatementLine.objects.filter(pk=line.pk).update(
            state=LineState.DISCARDED,
            resolved_by=as_actor(by).user,
            resolved_at=timezone.now(),
        )
        log_event(kind=EventKind.STATEMENT_DISCARDED, by=by, **line.as_details())
    line.refresh_from_db()
    return line


def save_statement_mapping(
    *,
    name: str,
    date_column: str,
    description_columns: Sequence[str],
    amount_column: str,
    decimal: str = "",
    date_order: str = "",
    delimiter: str = "",
    by: ActorLike = None,
) -> StatementMapping:
    """Save (or replace) a bank's column mapping, by its name."""
    texts = [c.strip() for c in description_columns if c.strip()]
    if not name.strip() or not date_column.strip() or not amount_column.strip() or not texts:
        raise InvalidInput("Name the bank and its date, description and amount columns")
    if decimal not in ("", ",", "."):
        raise InvalidInput("The decimal sign is “,” or “.”", field="decimal")
    if date_order not in ("", "dmy", "mdy", "ymd"):
        raise InvalidInput("The date order is dmy, mdy or ymd", field="date_order")
    values: dict[str, Any] = {
        "date_column": date_column.strip(),
        "description_columns": texts,
        "amount_column": amount_column.strip(),
        "decimal": decimal,
        "date_order": date_order,
        "delimiter": delimiter[:1],
    }
    with transaction.atomic():
        mapping, _created = StatementMapping.objects.update_or_create(
            name=name.strip(), defaults=values
        )
        log_event(kind=EventKind.STATEMENT_MAPPING_SAVED, by=by, mapping=mapping.name, **values)
    return mapping
