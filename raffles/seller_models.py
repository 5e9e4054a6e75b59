"""Sellers: people (staff users with the seller role) who sell a raffle's numbers in the
field, each with a short public code, a commission per raffle, the buyers who came through
their link or code, and the orders credited to them (docs/sellers.md).

Who gets credit for an order is decided once, when the order is created, by
`raffles.services.sellers.attribute_order` and stored in `OrderAttribution`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A code: 2 to 12 capital letters or digits ("ANA", "J23"). Links carry it as `#S-ANA`
# (WhatsApp) and `?s=ANA` (the public page).
CODE_PATTERN = r"^[A-Z0-9]{2,12}$"


class Seller(models.Model):
    """A staff user who sells: one per user; the code is theirs for every raffle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_profile"
    )
    code = models.CharField(_("code"), max_length=12, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SellerCommission(models.Model):
    """The percentage of a raffle's confirmed money a seller earns, set by the owner."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="commissions")
    raffle = models.ForeignKey(
        "raffles.Raffle", on_delete=models.CASCADE, related_name="seller_commissions"
    )
    percent = models.DecimalField(
        _("commission (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "raffle"], name="seller_commission_once"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="seller_commission_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}@{self.raffle_id}: {self.percent}%"


class SellerReferral(models.Model):
    """The last seller whose link or code a buyer came through, for one raffle (or, read
    without a raffle, for any raffle: `raffle` null). Last touch wins: a new code replaces
    the row's seller."""

    buyer = models.ForeignKey(
        "raffles.Buyer", on_delete=models.CASCADE, related_name="seller_referrals"
    )
    raffle = models.ForeignKey(
        "raffles.Raffle",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="seller_referrals",
    )
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="referrals")
    touched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "raffle"],
                condition=Q(raffle__isnull=False),
                name="seller_referral_once_per_raffle",
            ),
            models.UniqueConstraint(
                fields=["buyer"],
                condition=Q(raffle__isnull=True),
                name="seller_referral_once_any_raffle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id}@{self.raffle_id} → {self.seller_id}"


class AttributionVia(models.TextChoices):
    CASH_SALE = "sale", _("Sale recorded by the seller")
    LINK = "link", _("Buyer came through the seller's link or code")


class OrderAttribution(models.Model):
    """The seller an order is credited to, and why."""

    Via = AttributionVia

    order = models.OneToOneField(
        "raffles.Order", on_delete=models.CASCADE, related_name="seller_attribution"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="attributions")
    via = models.CharField(max_length=8, choices=AttributionVia.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["seller", "order"], name="attribution_seller_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.seller_id} ({self.via})"
