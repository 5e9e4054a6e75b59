"""Mercado Pago Checkout Pro behind `PaymentProvider`.

Shapes from Mercado Pago's documentation: a checkout preference is created with
POST /checkout/preferences (items, external_reference, notification_url, expires,
expiration_date_to) and answers `id` and `init_point`; a payment is read with
GET /v1/payments/{id} (status, transaction_amount, currency_id, external_reference).
Notifications arrive as POST notification_url?data.id=…&type=payment with the headers
`x-signature: ts=…,v1=…` and `x-request-id`; v1 is HMAC-SHA256 with the webhook secret over
the manifest "id:<data.id>;request-id:<x-request-id>;ts:<ts>;".
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.conf import settings

from raffles.payments.provider import (
    Checkout,
    CheckoutRequest,
    Notification,
    PaymentState,
    ProviderError,
    ProviderPayment,
)

DEFAULT_BASE_URL = "https://api.mercadopago.com"
TIMEOUT = 10.0
STATES = {
    "approved": PaymentState.APPROVED,
    "authorized": PaymentState.PENDING,
    "pending": PaymentState.PENDING,
    "in_process": PaymentState.PENDING,
    "in_mediation": PaymentState.PENDING,
    "rejected": PaymentState.REJECTED,
    "cancelled": PaymentState.REJECTED,
    "refunded": PaymentState.REVERSED,
    "charged_back": PaymentState.REVERSED,
}


def manifest(data_id: str, request_id: str, ts: str) -> str:
    """What Mercado Pago signs; an alphanumeric data.id is signed in lower case."""
    data_id = data_id.lower() if data_id.isalnum() else data_id
    parts = []
    if data_id:
        parts.append(f"id:{data_id};")
    if request_id:
        parts.append(f"request-id:{request_id};")
    if ts:
        parts.append(f"ts:{ts};")
    return "".join(parts)


def sign(secret: str, data_id: str, request_id: str, ts: str) -> str:
    """The header value Mercado Pago sends (used by the fake server and tests)."""
    digest = hmac.new(
        secret.encode(), manifest(data_id, request_id, ts).encode(), hashlib.sha256
    ).hexdigest()
    return f"ts={ts},v1={digest}"


def _signature_parts(header: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts[key.strip()] = value.strip()
    return parts


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return ""


def _data_id(query: Mapping[str, str], body: bytes) -> str:
    """data.id from the query string (what is signed), else from the JSON body."""
    value = query.get("data.id") or query.get("id") or ""
    if value:
        return str(value)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return ""
    inner = data.get("data") if isinstance(data, dict) else None
    return str(inner.get("id") or "") if isinstance(inner, dict) else ""


class MercadoPago:
    name = "mercadopago"

    def __init__(self, *, access_token: str, webhook_secret: str, base_url: str) -> None:
        self.access_token = access_token
        self.webhook_secret = webhook_secret
        self.base_url = base_url.rstrip("/")

    @classmethod
    def from_settings(cls) -> MercadoPago:
        return cls(
            access_token=settings.MERCADOPAGO_ACCESS_TOKEN,
            webhook_secret=settings.MERCADOPAGO_WEBHOOK_SECRET,
            base_url=settings.MERCADOPAGO_BASE_URL or DEFAULT_BASE_URL,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if not self.access_token:
            raise ProviderError("MERCADOPAGO_ACCESS_TOKEN is not set")
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            response = requests.request(
                method, self.base_url + path, headers=headers, timeout=TIMEOUT, **kwargs
            )
        except requests.RequestException as exc:
            raise ProviderError(f"Mercado Pago unreachable: {exc}") from exc
        if response.status_code >= 400:
            raise ProviderError(f"Mercado Pago answered {response.status_code}: {response.text}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderError("Mercado Pago answered something that is not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderError("Mercado Pago answered an unexpected shape")
        return data

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        body: dict[str, Any] = {
            "items": [
                {
                    "id": request.reference,
                    "title": request.title[:256],
                    "quantity": request.quantity,
                    "unit_price": float(request.unit_price),
                    "currency_id": request.currency,
                }
            ],
            "external_reference": request.reference,
            "notification_url": request.notification_url,
        }
        if request.expires_at is not None:
            body["expires"] = True
            body["expiration_date_to"] = request.expires_at.isoformat(timespec="milliseconds")
        data = self._call("POST", "/checkout/preferences", json=body)
        url = str(data.get("init_point") or "")
        if not url or not data.get("id"):
            raise ProviderError("Mercado Pago answered a preference without id or init_point")
        return Checkout(url=url, ref=str(data["id"]))

    def fetch_payment(self, payment_id: str) -> ProviderPayment:
        data = self._call("GET", f"/v1/payments/{payment_id}")
        try:
            amount = Decimal(str(data.get("transaction_amount")))
        except InvalidOperation as exc:
            raise ProviderError("Mercado Pago answered a payment without an amount") from exc
        return ProviderPayment(
            id=str(data.get("id") or payment_id),
            status=str(data.get("status") or ""),
            amount=amount,
            currency=str(data.get("currency_id") or ""),
            external_reference=str(data.get("external_reference") or ""),
        )

    def verify_notification(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> bool:
        if not self.webhook_secret:
            return False
        parts = _signature_parts(_header(headers, "x-signature"))
        ts, v1 = parts.get("ts", ""), parts.get("v1", "")
        if not ts or not v1:
            return False
        expected = sign(
            self.webhook_secret, _data_id(query, body), _header(headers, "x-request-id"), ts
        )
        return hmac.compare_digest(expected, f"ts={ts},v1={v1}")

    def parse_notification(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> Notification | None:
        topic = query.get("type") or query.get("topic") or ""
        if not topic:
            try:
                data = json.loads(body or b"{}")
            except ValueError as exc:
                raise ValueError("the body is not JSON and the query names no type") from exc
            topic = str(data.get("type") or "") if isinstance(data, dict) else ""
        if topic != "payment":
            return None
        payment_id = _data_id(query, body)
        if not payment_id:
            raise ValueError("a payment notification needs data.id")
        return Notification(
            payment_id=payment_id, request_id=_header(headers, "x-request-id"), topic=topic
        )

    def state_of(self, status: str) -> str:
        return STATES.get(status, PaymentState.PENDING)
