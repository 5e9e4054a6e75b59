"""The simulator's channel side: Meta-shaped webhook payloads, signed with
settings.WHATSAPP_APP_SECRET and handed to the real webhook view, as Meta would.

The request goes through the webhook view itself (its signature check, storage and task
enqueueing), built in-process with RequestFactory: no HTTP call back into the server, so a
single-worker server never waits on itself.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.test import RequestFactory
from django.urls import resolve, reverse

from messaging.channel import shapes
from messaging.channel.signature import HEADER, sign_body
from messaging.exceptions import MessagingError

HEADER_META = "HTTP_" + HEADER.upper().replace("-", "_")
TEST_PREFIX = "1555010"  # fictional numbers (555-01xx), easy to tell apart in lists


class SimulatorError(MessagingError):
    """The simulator could not deliver the message."""

    code = "simulator_error"


def sandbox_only() -> None:
    if not settings.WHATSAPP_SANDBOX:
        raise SimulatorError(
            "The simulator works in sandbox mode only (no WhatsApp credentials configured):"
            " with real credentials the bot's replies would go to Meta for a number that does"
            " not exist."
        )


def new_test_number() -> str:
    return TEST_PREFIX + f"{secrets.randbelow(10_000):04d}"


def clean_wa_id(value: str) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise SimulatorError("Use a phone number in international format, digits only.")
    return digits


def _envelope(wa_id: str, name: str, message: dict[str, Any]) -> dict[str, Any]:
    message = {
        "id": f"wamid.SIM{secrets.token_hex(16)}",
        "timestamp": str(int(time.time())),
        **message,
    }
    return shapes.inbound(
        wa_id,
        message,
        name=name,
        phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID or "SANDBOX",
        display_phone_number="15550000000",
        entry_id="SIMULATOR",
    )


def text_payload(wa_id: str, name: str, text: str) -> dict[str, Any]:
    return _envelope(wa_id, name, {"type": "text", "text": {"body": text}})


def button_reply_payload(
    wa_id: str, name: str, reply_id: str, title: str, context_id: str = ""
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    }
    if context_id:
        message["context"] = {"from": "15550000000", "id": context_id}
    return _envelope(wa_id, name, message)


def list_reply_payload(
    wa_id: str, name: str, reply_id: str, title: str, description: str = "", context_id: str = ""
) -> dict[str, Any]:
    reply = {"id": reply_id, "title": title}
    if description:
        reply["description"] = description
    message: dict[str, Any] = {
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": reply},
    }
    if context_id:
        message["context"] = {"from": "15550000000", "id": context_id}
    return _envelope(wa_id, name, message)


def media_payload(
    wa_id: str,
    name: str,
    *,
    media_id: str,
    mime_type: str,
    sha256: str,
    caption: str = "",
    filename: str = "",
) -> dict[str, Any]:
    kind = "image" if mime_type.startswith("image/") else "document"
    body: dict[str, Any] = {"id": media_id, "mime_type": mime_type, "sha256": sha256}
    if caption:
        body["caption"] = caption
    if kind == "document":
        body["filename"] = filename or "proof.pdf"
    return _envelope(wa_id, name, {"type": kind, kind: body})


def deliver(payload: dict[str, Any], *, host: str = "") -> None:
    """Sign the payload and hand it to the webhook view. Raises SimulatorError if refused."""
    sandbox_only()
    body = json.dumps(payload, separators=(",", ":")).encode()
    path = reverse("messaging:webhook")
    extra: dict[str, Any] = {HEADER_META: sign_body(body)}  # WSGI environ entries
    if host:
        extra["HTTP_HOST"] = host
    request = RequestFactory().post(path, data=body, content_type="application/json", **extra)
    response = resolve(path).func(request)
    if response.status_code != 200:
        raise SimulatorError(
            f"The webhook answered {response.status_code}: "
            + response.content.decode("utf-8", "replace")[:200]
        )


def register_media(content: bytes, mime_type: str, filename: str) -> str:
    """Make an uploaded file downloadable by the channel's media fetcher in sandbox mode and
    return its media id. Needs `messaging.channel.sandbox.register_media` (the channel's design)."""
    try:
        from messaging.channel.sandbox import register_media as register
    except ImportError:
        raise SimulatorError(
            "Image and PDF proofs need the channel's sandbox media store"
            " (messaging.channel.sandbox.register_media), which is not available yet."
        ) from None
    return str(register(content=content, mime_type=mime_type, filename=filename))
