"""A PDF proof's hints in the API: what the proof says (amounts, dates, reference) beside
what the order expects, and each mismatch as its own flag (`raffles.payments.proof_hints`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Schema

from raffles.models import PaymentProof
from raffles.payments.proof_hints import Hints


class ProofFound(Schema):
    amounts: list[Decimal] = Field(description="Amounts read in the proof, in order.")
    dates: list[date] = Field(description="Dates read in the proof, in order.")
    reference: str | None = Field(description="The order's code, when the proof mentions it.")


class ProofExpected(Schema):
    amount: Decimal = Field(description="The order's total.")
    reference: str = Field(description="The order's code.")
    not_before: date = Field(description="The day the order was made.")


class ProofHintsOut(Schema):
    readable: bool = Field(description="false: the PDF's text could not be read (see problem).")
    problem: str = Field(description="Why the text could not be read; empty when it was.")
    found: ProofFound
    expected: ProofExpected
    amount_differs: bool = Field(description="No amount found equals the order's total.")
    amount_missing: bool = Field(description="No amount found at all.")
    reference_missing: bool = Field(description="The order's code is not in the proof.")
    date_before_order: bool = Field(description="Every date found is before the order.")
    mismatch: bool = Field(description="Any of the flags above: check before confirming.")


def proof_hints_out(proof: PaymentProof) -> ProofHintsOut | None:
    """The proof's hints for the API; None for a proof without any (an image)."""
    hints = Hints.from_json(proof.hints)
    if hints is None:
        return None
    order = proof.order
    return ProofHintsOut(
        readable=hints.readable,
        problem=hints.problem,
        found=ProofFound(
            amounts=list(hints.amounts),
            dates=list(hints.dates),
            reference=hints.reference or None,
        ),
        expected=ProofExpected(
            amount=order.total_amount,
            reference=order.code,
            not_before=timezone.localdate(order.created_at),
        ),
        amount_differs=hints.amount_differs,
        amount_missing=hints.amount_missing,
        reference_missing=hints.code_missing,
        date_before_order=hints.date_before_order,
        mismatch=hints.mismatch,
    )
