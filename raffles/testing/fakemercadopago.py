"""A fake Mercado Pago API: a real HTTP server on 127.0.0.1 for tests and the sandbox.

Answers Mercado Pago's shapes for POST /checkout/preferences (checks the bearer token and the
preference: items with title, quantity, unit_price and currency_id; external_reference;
notification_url) and GET /v1/payments/{id}; records every request. Test controls pay a
preference (approved, rejected, pending, any amount), change a payment's status (refunded,
charged_back) and notify: a signed POST to the preference's notification_url with
`x-signature` and `x-request-id`, as Mercado Pago sends it, now or after a delay, once or
repeated.

From Python (`FakeMercadoPago` methods) or over HTTP (no token needed):
  GET  /_fake/requests       every request recorded so far
  GET  /_fake/preferences    the preferences created
  POST /_fake/pay     {"reference" or "preference_id", "status", "amount", "repeat", "delay"}
  POST /_fake/status  {"payment_id", "status", "repeat", "delay"}
  POST /_fake/notify  {"payment_id", "repeat", "delay"}
  POST /_fake/fail    {"count", "status"}   the next API requests fail with this status
  POST /_fake/reset
The link a preference answers (`init_point`) opens a page with Approve and Reject buttons.
Run by hand with `manage.py fake_mercadopago --port 8998`.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from config.loopback import LoopbackServer
from raffles.payments.mercadopago import sign

DEFAULT_TOKEN = "fake-mercadopago-token"  # noqa: S105 - a test double's token
DEFAULT_SECRET = "fake-mercadopago-secret"  # noqa: S105 - a test double's secret


@dataclass
class Recorded:
    method: str
    path: str
    body: bytes
    status: int = 0

    def as_dict(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"null")
        except ValueError:
            data = None
        return {"method": self.method, "path": self.path, "json": data, "status": self.status}


@dataclass
class _State:
    requests: list[Recorded] = field(default_factory=list)
    preferences: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[int] = field(default_factory=list)  # statuses our webhook answered
    failures: list[int] = field(default_factory=list)  # the next API requests answer these


def preference_problem(body: Any) -> str:
    """What Mercado Pago refuses in a preference (the checks the fake makes)."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return "items is required"
    for item in items:
        if not isinstance(item, dict) or not item.get("title"):
            return "items.title is required"
        if not isinstance(item.get("quantity"), int) or item["quantity"] < 1:
            return "items.quantity must be a positive integer"
        if not isinstance(item.get("unit_price"), int | float) or item["unit_price"] <= 0:
            return "items.unit_price must be a positive number"
        if not isinstance(item.get("currency_id"), str) or len(item["currency_id"]) != 3:
            return "items.currency_id must be a currency code"
    url = body.get("notification_url", "")
    if url and not str(url).startswith(("http://", "https://")):
        return "notification_url must be an http(s) URL"
    if body.get("expires") and not body.get("expiration_date_to"):
        return "expiration_date_to is required when expires is true"
    return ""


class FakeMercadoPago(LoopbackServer):
    thread_name = "fake-mercadopago"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        secret: str = DEFAULT_SECRET,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.secret = secret
        self._lock = threading.Lock()
        self._state = _State()
        self._ids = itertools.count(1_000_000_001)
        super().__init__(_make_handler(self), host=host, port=port)

    # --- what it saw --------------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._state.requests)

    @property
    def preferences(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.preferences.values())

    @property
    def deliveries(self) -> list[int]:
        """The HTTP statuses our webhook answered to each notification, in order."""
        with self._lock:
            return list(self._state.deliveries)

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next `count` API requests (preferences, payments) answer this HTTP status."""
        with self._lock:
            self._state.failures.extend([status] * count)

    def _pop_failure(self) -> int | None:
        with self._lock:
            return self._state.failures.pop(0) if self._state.failures else None

    def reset(self) -> None:
        with self._lock:
            self._state = _State()

    # --- test controls ------------------------------------------------------------------
    def preference(self, *, reference: str = "", preference_id: str = "") -> dict[str, Any]:
        for pref in self.preferences:
            if pref["id"] == preference_id or (
                reference and pref["external_reference"] == reference
            ):
                return pref
        raise KeyError(preference_id or reference)

    def pay(
        self,
        *,
        reference: str = "",
        preference_id: str = "",
        status: str = "approved",
        amount: Decimal | str | None = None,
        currency: str | None = None,
        repeat: int = 1,
        delay: float = 0.0,
    ) -> str:
        """The buyer pays a preference: a payment in `status` (its total unless `amount`),
        then `repeat` signed notifications (after `delay` seconds, in the background)."""
        pref = self.preference(reference=reference, preference_id=preference_id)
        item = pref["items"][0]
        total = Decimal(str(item["unit_price"])) * int(item["quantity"])
        payment_id = str(next(self._ids))
        with self._lock:
            self._state.payments[payment_id] = {
                "id": int(payment_id),
                "status": status,
                "status_detail": "accredited" if status == "approved" else status,
                "transaction_amount": float(Decimal(str(amount)) if amount is not None else total),
                "currency_id": currency or item["currency_id"],
                "external_reference": pref["external_reference"],
                "preference_id": pref["id"],
                "date_created": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "notification_url": pref.get("notification_url", ""),
            }
        self.notify(payment_id, repeat=repeat, delay=delay)
        return payment_id

    def set_status(
        self, payment_id: str, status: str, *, repeat: int = 1, delay: float = 0.0
    ) -> None:
        """A payment changes (refunded, charged_back, approved after pending…), notified."""
        with self._lock:
            self._state.payments[payment_id]["status"] = status
        self.notify(payment_id, repeat=repeat, delay=delay)

    def notify(
        self, payment_id: str, *, repeat: int = 1, delay: float = 0.0, secret: str | None = None
    ) -> None:
        """POST `repeat` signed notifications about a payment to its notification_url; each
        repeat carries a new x-request-id, as Mercado Pago's retries do. With a delay they
        go from a background thread."""
        if delay > 0:
            timer = threading.Timer(
                delay, self._deliver, args=(payment_id, repeat, secret or self.secret)
            )
            timer.daemon = True
            timer.start()
            return
        self._deliver(payment_id, repeat, secret or self.secret)

    def notification(
        self, payment_id: str, *, secret: str | None = None, request_id: str = ""
    ) -> tuple[str, dict[str, str], bytes]:
        """(url, headers, body) of one notification as Mercado Pago signs it."""
        with self._lock:
            payment = dict(self._state.payments[payment_id])
        request_id = request_id or str(uuid.uuid4())
        ts = str(int(time.time() * 1000))
        query = urlencode({"data.id": payment_id, "type": "payment"})
        url = f"{payment['notification_url']}?{query}"
        body = json.dumps(
            {
                "action": "payment.updated",
                "api_version": "v1",
                "data": {"id": payment_id},
                "date_created": payment["date_created"],
                "id": next(self._ids),
                "live_mode": False,
                "type": "payment",
                "user_id": "123456789",
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "x-request-id": request_id,
            "x-signature": sign(secret or self.secret, payment_id, request_id, ts),
        }
        return url, headers, body

    def _deliver(self, payment_id: str, repeat: int, secret: str) -> None:
        for _ in range(repeat):
            url, headers, body = self.notification(payment_id, secret=secret)
            try:
                status = requests.post(url, data=body, headers=headers, timeout=30).status_code
            except requests.RequestException:
                status = 0
            with self._lock:
                self._state.deliveries.append(status)

    # --- internals ----------------------------------------------------------------------
    def _record(self, record: Recorded) -> None:
        with self._lock:
            self._state.requests.append(record)

    def _create_preference(self, body: dict[str, Any]) -> dict[str, Any]:
        pref_id = f"123456789-{uuid.uuid4()}"
        pref = {
            **body,
            "id": pref_id,
            "collector_id": 123456789,
            "date_created": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "init_point": f"{self.base_url}/checkout/v1/redirect?pref_id={pref_id}",
            "sandbox_init_point": f"{self.base_url}/checkout/v1/redirect?pref_id={pref_id}",
        }
        with self._lock:
            self._state.preferences[pref_id] = pref
        return pref

    def _payment(self, payment_id: str) -> dict[str, Any] | None:
        with self._lock:
            payment = self._state.payments.get(payment_id)
            return dict(payment) if payment else None


def _error(status: int, message: str, error: str) -> dict[str, Any]:
    return {"message": message, "error": error, "status": status, "cause": []}


def _make_handler(fake: FakeMercadoPago) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeMercadoPago/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, data: Any, record: Recorded | None = None) -> None:
            if record is not None:
                record.status = status
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(raw)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if path.startswith("/_fake/"):
                self._control(method, path, body)
                return
            if path == "/checkout/v1/redirect":
                self._checkout_page(method, parse_qs(urlsplit(self.path).query), body)
                return
            record = Recorded(method, path, body)
            fake._record(record)
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._send(401, _error(401, "invalid access token", "unauthorized"), record)
                return
            failure = fake._pop_failure()
            if failure is not None:
                self._send(failure, _error(failure, "internal error", "internal_error"), record)
                return
            parts = [p for p in path.split("/") if p]
            if method == "POST" and parts == ["checkout", "preferences"]:
                try:
                    data = json.loads(body or b"null")
                except ValueError:
                    data = None
                problem = preference_problem(data)
                if problem:
                    self._send(400, _error(400, problem, "bad_request"), record)
                    return
                self._send(201, fake._create_preference(data), record)
            elif method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "payments"]:
                payment = fake._payment(parts[2])
                if payment is None:
                    self._send(404, _error(404, "Payment not found", "not_found"), record)
                    return
                payment.pop("notification_url", None)
                self._send(200, payment, record)
            else:
                self._send(404, _error(404, f"resource {path} not found", "not_found"), record)

        def _checkout_page(self, method: str, query: dict[str, list[str]], body: bytes) -> None:
            """The page a payment link opens: Approve or Reject pays the preference."""
            pref_id = (query.get("pref_id") or [""])[0]
            try:
                pref = fake.preference(preference_id=pref_id)
            except KeyError:
                self._send(404, _error(404, "preference not found", "not_found"))
                return
            note = ""
            if method == "POST":
                status = (parse_qs(body.decode()).get("status") or ["approved"])[0]
                fake.pay(preference_id=pref_id, status=status, delay=0.01)
                note = f"<p>Payment {html.escape(status)}; the notification is on its way.</p>"
            item = pref["items"][0]
            page = (
                "<!doctype html><meta charset=utf-8><title>Fake Mercado Pago</title>"
                f"<h1>{html.escape(str(item['title']))}</h1>"
                f"<p>{item['quantity']} x {item['unit_price']} {html.escape(item['currency_id'])}"
                f"</p>{note}<form method=post>"
                "<button name=status value=approved>Approve</button> "
                "<button name=status value=rejected>Reject</button></form>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(page)

        def _control(self, method: str, path: str, body: bytes) -> None:
            try:
                data = json.loads(body or b"{}")
                if method == "GET" and path == "/_fake/requests":
                    self._send(200, [r.as_dict() for r in fake.requests])
                elif method == "GET" and path == "/_fake/preferences":
                    self._send(200, fake.preferences)
                elif method == "POST" and path == "/_fake/pay":
                    payment_id = fake.pay(
                        reference=str(data.get("reference", "")),
                        preference_id=str(data.get("preference_id", "")),
                        status=str(data.get("status", "approved")),
                        amount=data.get("amount"),
                        repeat=int(data.get("repeat", 1)),
                        delay=float(data.get("delay", 0)) or 0.01,  # never inside this request
                    )
                    self._send(200, {"payment_id": payment_id})
                elif method == "POST" and path == "/_fake/status":
                    fake.set_status(
                        str(data["payment_id"]),
                        str(data["status"]),
                        repeat=int(data.get("repeat", 1)),
                        delay=float(data.get("delay", 0)) or 0.01,
                    )
                    self._send(200, {"ok": True})
                elif method == "POST" and path == "/_fake/notify":
                    fake.notify(
                        str(data["payment_id"]),
                        repeat=int(data.get("repeat", 1)),
                        delay=float(data.get("delay", 0)) or 0.01,
                    )
                    self._send(200, {"ok": True})
                elif method == "POST" and path == "/_fake/fail":
                    fake.fail_next(int(data.get("count", 1)), status=int(data.get("status", 500)))
                    self._send(200, {"ok": True})
                elif method == "POST" and path == "/_fake/reset":
                    fake.reset()
                    self._send(200, {"ok": True})
                else:
                    self._send(404, {"error": "unknown control path"})
            except (ValueError, KeyError) as exc:
                self._send(400, {"error": f"bad control request: {exc}"})

    return Handler
