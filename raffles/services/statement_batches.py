"""Writing one batch of a statement's decided lines (`statements.import_statement`): the
lines, their orders, the confirmations and the audit events, in one transaction and a
number of statements that does not grow with the batch (apart from the buyers' receipts).

A line that was stored meanwhile by another import of the same file (same fingerprint) is a
duplicate and changes nothing. Exact matches are confirmed together
(`confirmations.confirm_paid_many`); a line paying several orders confirms all of them or
none. A confirmation refused (numbers taken meanwhile, order no longer payable) flags its
line with the reason. Every automatic decision leaves one event per order with the line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from raffles.audit import EventKind
from raffles.exceptions import InvalidOrderState, RaffleError
from raffles.models import Order, OrderEvent
from raffles.payments import matching
from raffles.payments.statements import ParsedLine
from raffles.services.actors import Actor
from raffles.services.confirmations import Payment, confirm_paid_many
from raffles.services.events import build_event
from raffles.statement_models import LineState, StatementImport, StatementLine

SYSTEM = Actor.system("bank statement")
STATUSES: dict[str, str] = {
    LineState.CONFIRMED: "confirmed",
    LineState.SUGGESTED: "suggested",
    LineState.FLAGGED: "flagged",
    LineState.UNMATCHED: "unmatched",
}


@dataclass
class Decided:
    """A line of the file, decided, waiting to be written with its batch. `result` is the
    caller's LineResult, filled in here."""

    parsed: ParsedLine
    fingerprint: str
    decision: matching.Decision
    orders: list[Order]  # the orders the decision names
    automatic: bool  # all of them confirm exact matches automatically
    result: Any


def _first_state(item: Decided) -> tuple[str, str]:
    decision = item.decision
    if decision.outcome == matching.Outcome.UNMATCHED:
        return LineState.UNMATCHED, ""
    if decision.confirms:
        return (LineState.CONFIRMED if item.automatic else LineState.SUGGESTED), ""
    return LineState.FLAGGED, decision.outcome


def _refusal(exc: RaffleError) -> str:
    return "not_payable" if isinstance(exc, InvalidOrderState) else "numbers_taken"


def _store(statement: StatementImport, batch: Sequence[Decided]) -> dict[str, StatementLine]:
    """Insert the lines (a line another import stored meanwhile is skipped); ours by
    fingerprint, with their ids."""
    rows = []
    for item in batch:
        state, reason = _first_state(item)
        p = item.parsed
        assert p.amount is not None
        rows.append(
            StatementLine(
                statement=statement,
                fingerprint=item.fingerprint,
                row=p.row,
                date=p.date,
                amount=p.amount,
                currency=p.currency,
                description=p.description,
                reference=p.reference[:255],
                state=state,
                reason=reason,
            )
        )
    StatementLine.objects.bulk_create(rows, ignore_conflicts=True)
    ids = dict(
        StatementLine.objects.filter(
            statement=statement, fingerprint__in=[r.fingerprint for r in rows]
        ).values_list("fingerprint", "pk")
    )
    ours = {}
    for row in rows:
        if row.fingerprint in ids:
            row.pk = ids[row.fingerprint]
            ours[row.fingerprint] = row
    through = StatementLine.orders.through
    through.objects.bulk_create(
        [
            through(statementline_id=ours[item.fingerprint].pk, order_id=order.pk)
            for item in batch
            if item.fingerprint in ours
            for order in item.orders
        ]
    )
    return ours


def _confirm(batch: Sequence[Decided], lines: dict[str, StatementLine]) -> dict[str, RaffleError]:
    """Confirm the lines to confirm; the refused ones, by fingerprint, with the first error."""
    refused: dict[str, RaffleError] = {}
    singles: dict[int, str] = {}
    payments = []
    for item in batch:
        line = lines.get(item.fingerprint)
        if line is None or line.state != LineState.CONFIRMED:
            continue
        details = line.as_details()
        mine = [Payment(o.pk, EventKind.STATEMENT_MATCHED, details) for o in item.orders]
        if len(mine) == 1:
            singles[mine[0].order_id] = item.fingerprint
            payments.extend(mine)
            continue
        with transaction.atomic():  # several orders: all or none
            several = confirm_paid_many(mine, by=SYSTEM)
            if several.refused:
                transaction.set_rollback(True)
                refused[item.fingerprint] = next(iter(several.refused.values()))
    if payments:
        result = confirm_paid_many(payments, by=SYSTEM)
        for order_id, exc in result.refused.items():
            refused[singles[order_id]] = exc
    return refused


def write_batch(statement: StatementImport, batch: Sequence[Decided]) -> None:
    """Write the batch and fill each line's result."""
    if not batch:
        return
    with transaction.atomic():
        lines = _store(statement, batch)
        refused = _confirm(batch, lines)
        changed: dict[str, list[int]] = defaultdict(list)
        events: list[OrderEvent] = []
        for item in batch:
            line = lines.get(item.fingerprint)
            if line is None:
                continue
            if item.fingerprint in refused:
                line.state, line.reason = LineState.FLAGGED, _refusal(refused[item.fingerprint])
                changed[line.reason].append(line.pk)
            events.extend(_events(item, line))
        OrderEvent.objects.bulk_create(events)
        for reason, ids in changed.items():
            StatementLine.objects.filter(pk__in=ids).update(state=LineState.FLAGGED, reason=reason)
    for item in batch:
        line = lines.get(item.fingerprint)
        result = item.result
        if line is None:  # the same line, imported at the same moment by someone else
            result.status = "duplicate"
            continue
        result.status = STATUSES[line.state]
        result.reason, result.line_id = line.reason, line.pk
        result.orders = [o.code for o in item.orders]


def _events(item: Decided, line: StatementLine) -> list[OrderEvent]:
    """The events of a suggested or flagged line (a confirmed one's are written with its
    confirmation)."""
    details = line.as_details()
    if line.state == LineState.SUGGESTED:
        return [
            build_event(kind=EventKind.STATEMENT_SUGGESTED, by=SYSTEM, order=o, **details)
            for o in item.orders
        ]
    if line.state != LineState.FLAGGED:
        return []
    expected = item.decision.expected
    return [
        build_event(
            kind=EventKind.STATEMENT_FLAGGED,
            by=SYSTEM,
            order=o,
            reason=line.reason,
            expected=f"{expected:.2f}" if expected is not None else None,
            **details,
        )
        for o in item.orders
    ]
