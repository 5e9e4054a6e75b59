"""A raffle's verifiable draws (commit, freeze, draw): the main draw and its early-bird
draws, registered with the app by `raffles.models`. The rules of drawing live in
`raffles.services.draws` and `raffles.services.draw_setup`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class DrawRecord(models.Model):
    """What every draw records (see docs/draws.md): its method and fallback, the secret seed
    and its commitment (method `hmac-sha256-rejection-v1`) or the official lottery results
    (`lottery-digits-v1`), the frozen list of entries, the prizes and the winners.

    `seed` must never leave the server before `drawn_at` is set.
    """

    method = models.CharField(max_length=40)
    fallback = models.CharField(max_length=20, blank=True)  # lottery method only
    seed = models.CharField(max_length=64, blank=True, editable=False)
    commitment = models.CharField(max_length=64, blank=True, editable=False)
    committed_at = models.DateTimeField(default=timezone.now, editable=False)

    entries = models.TextField(blank=True, editable=False)
    entries_hash = models.CharField(max_length=64, blank=True, editable=False)
    entries_count = models.PositiveIntegerField(null=True, blank=True)
    excluded = models.JSONField(default=list, blank=True)  # [{"order": code, "numbers": [..]}]
    frozen_at = models.DateTimeField(null=True, blank=True)

    external_value = models.CharField(max_length=200, blank=True)
    # Lottery method: [{"numbers": ["12345", …], "source": …, "url": …, "date": "YYYY-MM-DD"}]
    lottery_results = models.JSONField(default=list, blank=True)
    prize_names = models.JSONField(default=list, blank=True)  # ["Car", "TV", …], prize order
    prizes = models.PositiveIntegerField(null=True, blank=True)
    winners = models.JSONField(default=list, blank=True)  # zero-padded numbers, prize order
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

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

    def prize_name(self, index: int) -> str:
        """The description of prize `index` (0 = first), "" when none was given."""
        names = list(self.prize_names or [])
        return str(names[index]) if 0 <= index < len(names) else ""


class Draw(DrawRecord):
    """The main draw of a raffle, created when its method is chosen (a draft) or at the
    latest when the raffle is activated."""

    raffle = models.OneToOneField("raffles.Raffle", on_delete=models.CASCADE, related_name="draw")

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


class EarlyDraw(DrawRecord):
    """An early-bird draw: among the numbers paid before `cutoff`, run while sales go on.
    Its own entries, commitment or lottery result, prizes and winners."""

    raffle = models.ForeignKey(
        "raffles.Raffle", on_delete=models.CASCADE, related_name="early_draws"
    )
    title = models.CharField(max_length=120)
    cutoff = models.DateTimeField()

    class Meta:
        ordering = ["cutoff", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(drawn_at__isnull=True) | Q(frozen_at__isnull=False),
                name="early_draw_frozen_before_drawn",
            ),
        ]

    def __str__(self) -> str:
        return f"Early-bird draw {self.pk} of raffle {self.raffle_id}"
