"""A winner's claim of her prize: opened by the draw for each winning order, registered by
the winner (through any channel), moved on by staff until the prize is delivered.

Its rule ("may still be claimed", and the effective status once the deadline passed) lives
here, on the model; writes go through `raffles.services.claims`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the winner")
    CLAIMED = "claimed", _("Claimed")
    DELIVERED = "delivered", _("Delivered")
    EXPIRED = "expired", _("Expired")


class WinnerClaim(models.Model):
    """One winning order's prize(s): which winning numbers, their places, until when the
    winner may claim, who claimed, what staff noted."""

    Status = ClaimStatus

    raffle = models.ForeignKey(
        "raffles.Raffle", on_delete=models.CASCADE, related_name="claims", db_index=False
    )
    order = models.ForeignKey("raffles.Order", on_delete=models.PROTECT, related_name="claims")
    numbers = models.JSONField(default=list)  # zero-padded winning numbers of the order
    places = models.JSONField(default=list)  # their prize places (1 = first prize)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    deadline = models.DateTimeField(_("claim by"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    notified_at = models.DateTimeField(null=True, blank=True)  # the winner was told
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_name = models.CharField(_("claimed in the name of"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    staff_note = models.TextField(_("staff note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["raffle_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["raffle", "order"], name="claim_one_per_order"),
        ]

    def __str__(self) -> str:
        return f"Claim of {self.order_id} ({self.status})"

    def effective_status(self, now: datetime | None = None) -> str:
        """The status, with an open claim past its deadline shown as expired."""
        if self.status == ClaimStatus.OPEN and (now or timezone.now()) > self.deadline:
            return ClaimStatus.EXPIRED
        return self.status

    def is_claimable(self, now: datetime | None = None) -> bool:
        """The winner may still register her claim (open, before the deadline)."""
        return self.effective_status(now) == ClaimStatus.OPEN

    @property
    def first_place(self) -> int:
        return min(self.places) if self.places else 0
