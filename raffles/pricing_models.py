"""Coupons: a code a buyer types to take a percentage or an amount off an order.

The price rule itself is `raffles.pricing`; a raffle's bundles and early-bird price are
fields of the raffle (`Raffle.price_tiers`, `early_bird_price`, `early_bird_until`), so the
reservation engine, which keeps raffles in memory, prices from the row it already has.
Writes go through `raffles.services.pricing`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raffles.pricing import CouponKind, CouponTerms, PriceTier, Quote, quote, tiers_from_json


class RafflePricing(models.Model):
    """A raffle's bundles and early-bird price (fields of `Raffle`)."""

    # Bundles ("3 for 25"): a JSON list of {quantity, price}, set through
    # `services.pricing.set_prices`.
    price_tiers = models.JSONField(_("bundles"), default=list, blank=True)
    early_bird_price = models.DecimalField(
        _("early-bird ticket price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    early_bird_until = models.DateTimeField(_("early-bird price until"), null=True, blank=True)

    ticket_price: Decimal

    class Meta:
        abstract = True

    @property
    def tiers(self) -> tuple[PriceTier, ...]:
        return tiers_from_json(self.price_tiers)

    def early_bird_on(self, at: datetime | None = None) -> bool:
        until = self.early_bird_until
        return (
            self.early_bird_price is not None
            and until is not None
            and ((at or timezone.now()) < until)
        )

    def quote(
        self, qty: int, *, at: datetime | None = None, coupon: CouponTerms | None = None
    ) -> Quote:
        """What `qty` tickets cost at `at` (now): the rule is `raffles.pricing.quote`."""
        return quote(
            qty,
            ticket_price=self.ticket_price,
            tiers=self.tiers,
            early_bird_price=self.early_bird_price,
            early_bird_until=self.early_bird_until,
            coupon=coupon,
            at=at or timezone.now(),
        )

    def price_for(self, qty: int) -> Decimal:
        return self.quote(qty).total


class OrderPricing(models.Model):
    """What an order's price was made of (fields of `Order`), as `raffles.pricing.quote`
    computed it: the list price (empty on orders older than bundles) and what was taken off
    (bundles, early bird and coupon together; the coupon's part on its own)."""

    list_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    discount_amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    coupon = models.ForeignKey(
        "raffles.Coupon",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    coupon_discount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    # The coupon's code as applied (receipts and lists show it without a join).
    coupon_code = models.CharField(max_length=32, blank=True, default="", db_default="")

    total_amount: Decimal

    class Meta:
        abstract = True

    @property
    def has_discount(self) -> bool:
        return self.discount_amount > 0


class Coupon(models.Model):
    class Kind(models.TextChoices):
        PERCENT = CouponKind.PERCENT.value, _("Percent off")
        FIXED = CouponKind.FIXED.value, _("Amount off")

    raffle = models.ForeignKey("raffles.Raffle", on_delete=models.CASCADE, related_name="coupons")
    # Stored in capitals: buyers type it in any case.
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    # Empty: no limit. `used_count` only moves through `services.pricing.apply_coupon`'s
    # conditional UPDATE, which never lets it pass the limit.
    max_uses = models.PositiveIntegerField(_("usage limit"), null=True, blank=True)
    used_count = models.PositiveIntegerField(_("times used"), default=0)
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )

    class Meta:
        ordering = ["raffle_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["raffle", "code"], name="coupon_unique_code"),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(used_count__lte=F("max_uses")),
                name="coupon_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def terms(self) -> CouponTerms:
        return CouponTerms(self.code, CouponKind(self.kind), self.value)

    def is_usable(self, at: datetime | None = None) -> bool:
        now = at or timezone.now()
        if not self.active or (self.ends_at is not None and now >= self.ends_at):
            return False
        return self.max_uses is None or self.used_count < self.max_uses

    @property
    def remaining(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.used_count, 0)
