"""Payment links: the checkout made for an order, every notification a provider sent (stored
before anything is done with it), and what each payment did to its order.

Writes go through `raffles.services.payment_links`; the provider interface is
`raffles.payments.provider`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CheckoutLink(models.Model):
    """The provider's hosted checkout for one order (one per order and provider), made for
    `amount`: when the order's total changes (a coupon), the checkout is made again."""

    order = models.ForeignKey("raffles.Order", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20)
    ref = models.CharField(_("provider's checkout id"), max_length=100)
    url = models.URLField(max_length=500)
    expires_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "provider"], name="checkout_link_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.provider} checkout {self.ref}"


class PaymentNotification(models.Model):
    """One verified notification, as received (repeats are stored once per request id)."""

    provider = models.CharField(max_length=20)
    request_id = models.CharField(max_length=100)
    payment_id = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "request_id"], name="payment_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} notification {self.request_id} (payment {self.payment_id})"


class LinkFlag(models.TextChoices):
    """Why a payment by link waits for staff (what they should do is in the words)."""

    NO_ORDER = "no_order", _("No order has this payment's reference")
    WRONG_AMOUNT = "wrong_amount", _("Paid a different amount: refund it or settle by hand")
    ALREADY_PAID = "already_paid", _("The order was already paid: refund this payment")
    NUMBERS_GONE = (
        "numbers_gone",
        _("Paid after the hold ran out and the numbers were taken: refund this payment"),
    )
    NOT_CONFIRMED = "not_confirmed", _("The order could not be confirmed: refund this payment")
    REFUNDED = "refunded", _("The payment was refunded: check the order")
    CHARGED_BACK = "charged_back", _("The buyer disputed the payment (chargeback): check the order")
    REVERSED = "reversed", _("The payment was reversed: check the order")


class LinkPayment(models.Model):
    """A payment in one status, acted on once (the idempotency key: provider, id, status).
    A flagged one waits for staff until they mark it handled."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Order confirmed")
        WAITING = "waiting", _("Waiting (pending)")
        REJECTED = "rejected", _("Rejected by the provider")
        FLAGGED = "flagged", _("Flagged for staff")
        ALREADY_PAID = "already_paid", _("Order already paid")

    provider = models.CharField(max_length=20)
    payment_id = models.CharField(max_length=100)
    status = models.CharField(max_length=30)
    order = models.ForeignKey(
        "raffles.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)  # the details, for the audit log
    flag = models.CharField(max_length=20, choices=LinkFlag.choices, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "payment_id", "status"], name="link_payment_once_per_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} payment {self.payment_id} {self.status}: {self.outcome}"
