"""How a raffle is paid for: the methods staff pick for it and what each method needs.

One row per raffle (`Raffle.payment_setup`), created on first use; a raffle without one is
paid by bank transfer with its `payment_instructions`, as every raffle is by default. Writes go
through `raffles.services`; the rules of each method live in its own module under
`raffles.payments`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    PIX = "pix", _("Pix")
    PAYMENT_LINK = "payment_link", _("Payment link")


class StatementMatching(models.TextChoices):
    AUTOMATIC = "automatic", _("Confirm exact matches automatically")
    SUGGEST = "suggest", _("Suggest matches only")


def default_methods() -> list[str]:
    return [PaymentMethod.TRANSFER.value]


class PaymentSetup(models.Model):
    raffle = models.OneToOneField(
        "raffles.Raffle", on_delete=models.CASCADE, related_name="payment_setup"
    )
    methods = models.JSONField(_("payment methods"), default=default_methods)
    pix_key = models.CharField(_("Pix key"), max_length=77, blank=True)
    pix_merchant_name = models.CharField(_("Pix merchant name"), max_length=25, blank=True)
    pix_merchant_city = models.CharField(_("Pix merchant city"), max_length=15, blank=True)
    statement_matching = models.CharField(
        _("bank statement matching"),
        max_length=10,
        choices=StatementMatching.choices,
        default=StatementMatching.AUTOMATIC,
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"payment setup of raffle {self.raffle_id}"

    def accepts(self, method: PaymentMethod) -> bool:
        return method.value in self.methods
