"""A raffle's verifiable draw (commit, freeze, draw): its own module, registered with the
app by `raffles.models`. The rules of drawing live in `raffles.services.draws`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Draw(models.Model):
    """The verifiable draw of a raffle: commit, freeze, draw (see docs/draws.md).

    Created with a secret seed and its public commitment when the raffle is activated. The
    list of sold numbers is frozen (with its hash) after sales close; the draw reveals the
    seed and stores the winners, a deterministic function of (seed, external value, list).
    `seed` must never leave the server before `drawn_at` is set.
    """

    raffle = models.OneToOneField("raffles.Raffle", on_delete=models.CASCADE, related_name="draw")
    method = models.CharField(max_length=40)
    seed = models.CharField(max_length=64, editable=False)
    commitment = models.CharField(max_length=64, editable=False)
    committed_at = models.DateTimeField(default=timezone.now, editable=False)

    entries = models.TextField(blank=True, editable=False)
    entries_hash = models.CharField(max_length=64, blank=True, editable=False)
    entries_count = models.PositiveIntegerField(null=True, blank=True)
    excluded = models.JSONField(default=list, blank=True)  # [{"order": code, "numbers": [..]}]
    frozen_at = models.DateTimeField(null=True, blank=True)

    external_value = models.CharField(max_length=200, blank=True)
    prizes = models.PositiveIntegerField(null=True, blank=True)
    winners = models.JSONField(default=list, blank=True)  # zero-padded numbers, prize order
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-committed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(drawn_at__isnull=True) | Q(frozen_at__isnull=False),
                name="draw_frozen_before_drawn",
            ),
        ]

    def __str__(self) -> str:
        return f"Draw of raffle {self.raffle_id}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def revealed_seed(self) -> str | None:
        """The seed once drawn, else None. Use this, never `seed`, in anything shown."""
        return self.seed if self.is_drawn else None
