"""The small interface every payment-link provider implements (Mercado Pago today).

A provider creates a hosted checkout for an order, reads a payment back from its API, and
verifies that a notification really came from it. Another provider (Stripe, Bancard) is one
more module implementing `PaymentProvider`, named in `PROVIDERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import import_module
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the request."""


@dataclass(frozen=True)
class CheckoutRequest:
    """What a checkout needs to know about an order."""

    reference: str  # the order code; comes back as the payment's external reference
    title: str
    quantity: int
    unit_price: Decimal
    currency: str
    notification_url: str
    expires_at: datetime | None


@dataclass(frozen=True)
class Checkout:
    url: str  # where the buyer pays
    ref: str  # the provider's id of the checkout


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider's API reports it."""

    id: str
    status: str  # the provider's own word; `PaymentState` says what it means to us
    amount: Decimal
    currency: str
    external_reference: str


@dataclass(frozen=True)
class Notification:
    """A verified notification: which payment to fetch back."""

    payment_id: str
    request_id: str
    topic: str


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def fetch_payment(self, payment_id: str) -> ProviderPayment: ...

    def verify_notification(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> bool: ...

    def parse_notification(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> Notification | None:
        """The payment a (verified) notification is about; None for other topics. Raises
        ValueError for a payment notification that names no payment."""
        ...

    def state_of(self, status: str) -> str:
        """One of `PaymentState`'s values for the provider's status word."""
        ...


class PaymentState:
    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"
    REVERSED = "reversed"  # refunded or charged back after approval


PROVIDERS = {"mercadopago": "raffles.payments.mercadopago.MercadoPago"}


def get_provider(name: str = "mercadopago") -> PaymentProvider:
    module, _, cls = PROVIDERS[name].rpartition(".")
    provider: PaymentProvider = getattr(import_module(module), cls).from_settings()
    return provider
