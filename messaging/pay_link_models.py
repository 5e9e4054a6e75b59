"""The record that a payment link button was queued, once per request: the send task may be
delivered twice (django-q2 delivers at least once), and the buyer must not get the Pay-now
button twice for one request (`messaging.bot.pay_link.send`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PayLinkQueued(models.Model):
    """One request for an order's payment link (its `key`, made by the turn that asked) and
    the outbox row that answered it, written in the same transaction."""

    key = models.CharField(max_length=64, unique=True)
    contact = models.ForeignKey("messaging.Contact", on_delete=models.CASCADE, related_name="+")
    order_code = models.CharField(max_length=20)
    message = models.ForeignKey(
        "messaging.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"payment link of {self.order_code} for contact {self.contact_id} ({self.key})"
