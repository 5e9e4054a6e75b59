"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign_body(body: bytes, secret: str | None = None) -> str:
    """The header value Meta would send for `body` (used by the simulator and tests)."""
    key = (settings.WHATSAPP_APP_SECRET if secret is None else secret).encode()
    return PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_is_valid(body: bytes, header: str | None) -> bool:
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header or not header.startswith(PREFIX):
        return False
    expected = sign_body(body, secret).encode()
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))
