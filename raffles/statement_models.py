"""Bank statements: each import, its lines (one row per transfer ever seen, by fingerprint,
so a line imported twice counts once) and the column mappings staff save per bank.

A line's `state` says what became of it: confirmed (its orders are paid, automatically or
by staff), suggested (an exact match waiting for a click), flagged (a code but the wrong
amount, an order already paid, …), unmatched (no code), discarded (staff set it aside).
Writes go through `raffles.services` (statements); the rules live in
`raffles.payments.matching`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LineState(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    SUGGESTED = "suggested", _("Suggested match")
    FLAGGED = "flagged", _("Flagged")
    UNMATCHED = "unmatched", _("Unmatched")
    DISCARDED = "discarded", _("Discarded")


OPEN_STATES = (LineState.SUGGESTED, LineState.FLAGGED, LineState.UNMATCHED)


class LineReason(models.TextChoices):
    """Why a line was flagged (`StatementLine.reason`), in words for staff."""

    PARTIAL = "partial", _("Less than the orders' total")
    OVERPAID = "overpaid", _("More than the orders' total")
    ALREADY_PAID = "already_paid", _("The order was already paid")
    NOT_PAYABLE = "not_payable", _("The order is no longer waiting for payment")
    CURRENCY = "currency", _("Another currency than the raffle's")
    NUMBERS_TAKEN = "numbers_taken", _("Paid late: the order's numbers were taken meanwhile")


# What became of each line of an import (`services.LineResult.status`), in words.
RESULT_WORDS = {
    "confirmed": _("Confirmed"),
    "suggested": _("Suggested match"),
    "flagged": _("Flagged"),
    "unmatched": _("Unmatched"),
    "duplicate": _("Already imported"),
    "ignored": _("Ignored (zero or outgoing)"),
    "invalid": _("Unreadable"),
}


def reason_words(code: str) -> str:
    """A flag reason in words; an unknown code (an unreadable line's error) as it is."""
    try:
        return str(LineReason(code).label)
    except ValueError:
        return code


class StatementMapping(models.Model):
    """How one bank writes its CSV: the header names of the date, description and amount
    columns, and (when the file cannot show it) the decimal sign and the date order."""

    name = models.CharField(_("bank"), max_length=100, unique=True)
    date_column = models.CharField(_("date column"), max_length=100)
    description_columns = models.JSONField(_("description columns"), default=list)
    amount_column = models.CharField(_("amount column"), max_length=100)
    decimal = models.CharField(_("decimal sign"), max_length=1, blank=True)
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatementImport(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10)
    mapping = models.ForeignKey(StatementMapping, null=True, blank=True, on_delete=models.SET_NULL)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"statement import {self.pk}"


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    fingerprint = models.CharField(max_length=64, unique=True)
    row = models.PositiveIntegerField()
    date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, blank=True)
    description = models.TextField(blank=True)
    reference = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=LineState.choices)
    reason = models.CharField(max_length=20, blank=True)  # matching.Outcome of a flag
    orders = models.ManyToManyField("raffles.Order", blank=True, related_name="statement_lines")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["state", "date"], name="statement_line_queue_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.description[:40]}"

    @property
    def reason_display(self) -> str:
        return reason_words(self.reason)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def as_details(self) -> dict[str, Any]:
        """The line as the audit log records it."""
        return {
            "statement_line": self.pk,
            "statement": self.statement_id,
            "date": self.date.isoformat() if self.date else None,
            "amount": f"{self.amount:.2f}",
            "description": self.description[:300],
            "reference": self.reference,
            "fingerprint": self.fingerprint,
        }
