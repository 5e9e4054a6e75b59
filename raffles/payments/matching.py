"""Which orders a statement line pays, and what to do about it (pretix's bank-transfer
matching, as a pure function).

1. Codes: every order code anywhere in the description, whatever the case, spaces, dashes,
   dots or leading zeros around and inside it ("abc-234", "REF 000ABC 234").
2. Amount: the line's amount must equal the orders' total exactly (one transfer may pay
   several orders: several codes, the sum of their totals), in the raffles' currency.
3. Decision: `exact` (confirm, or suggest when a raffle says so), `partial`, `overpaid`,
   or another flag (already paid, cancelled, mixed currencies); no code: `unmatched`.
   Zero and negative lines are `ignored`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from raffles.models import ORDER_CODE_ALPHABET as CODE_ALPHABET
from raffles.models import ORDER_CODE_LENGTH as CODE_LENGTH

_NOISE = re.compile(r"[\s\-_./:#]+")
_CODE_CHARS = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH},}}")


class Outcome:
    EXACT = "exact"
    PARTIAL = "partial"
    OVERPAID = "overpaid"
    ALREADY_PAID = "already_paid"
    NOT_PAYABLE = "not_payable"
    CURRENCY = "currency"
    UNMATCHED = "unmatched"
    IGNORED = "ignored"


def compact(description: str) -> str:
    return _NOISE.sub("", description.upper())


def candidate_codes(description: str) -> list[str]:
    """Every run of `CODE_LENGTH` code characters in the compacted description (zeros,
    ones, O and I are never in a code, so they end a run), in order, without repeats."""
    found: dict[str, None] = {}
    for run in _CODE_CHARS.findall(compact(description)):
        for i in range(len(run) - CODE_LENGTH + 1):
            found[run[i : i + CODE_LENGTH]] = None
    return list(found)


@dataclass(frozen=True)
class OrderFacts:
    """What matching needs to know of an order."""

    code: str
    total: Decimal
    currency: str
    payable: bool  # waiting for payment (or expired: its numbers may still be free)
    paid: bool
    automatic: bool  # its raffle confirms exact matches automatically


@dataclass(frozen=True)
class Decision:
    outcome: str
    codes: tuple[str, ...] = ()
    expected: Decimal | None = None

    @property
    def confirms(self) -> bool:
        return self.outcome == Outcome.EXACT


def decide(
    amount: Decimal, currency: str, codes: Sequence[str], orders: dict[str, OrderFacts]
) -> Decision:
    """The decision for one line: `codes` found in its description, `orders` the known
    orders by code (codes that name no order are noise)."""
    if amount <= 0:
        return Decision(Outcome.IGNORED)
    named = [orders[c] for c in codes if c in orders]
    if not named:
        return Decision(Outcome.UNMATCHED)
    found = tuple(o.code for o in named)
    if any(o.paid for o in named):
        return Decision(Outcome.ALREADY_PAID, found)
    if not all(o.payable for o in named):
        return Decision(Outcome.NOT_PAYABLE, found)
    currencies = {o.currency.upper() for o in named}
    if len(currencies) > 1 or (currency and currency.upper() not in currencies):
        return Decision(Outcome.CURRENCY, found)
    expected = sum((o.total for o in named), Decimal(0))
    if amount < expected:
        return Decision(Outcome.PARTIAL, found, expected)
    if amount > expected:
        return Decision(Outcome.OVERPAID, found, expected)
    return Decision(Outcome.EXACT, found, expected)


def fingerprint(
    *, when: date | None, amount: Decimal | None, description: str, reference: str, nth: int = 1
) -> str:
    """The identity of a statement line across imports: date, amount, description (case and
    spacing ignored) and the bank's transaction id; `nth` tells apart identical lines of one
    file (the second of two equal transfers on one day)."""
    parts = [
        when.isoformat() if when else "",
        f"{amount:.2f}" if amount is not None else "",
        " ".join(description.upper().split()),
        reference.strip(),
        str(nth),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def numbered(keys: Iterable[str]) -> list[int]:
    """For each key, how many times it has been seen so far (1 for the first)."""
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(seen[key])
    return out
