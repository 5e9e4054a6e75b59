"""What Meta refuses, as the fake Graph API (fakegraph.py) checks it: message bodies (text
length, buttons, list rows, media by id or link) and multipart media uploads."""

from __future__ import annotations

import email.parser
import email.policy
from typing import Any

TEXT_MAX = 4096
CAPTION_MAX = 1024
UPLOAD_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
UPLOAD_MAX = 5 * 1024 * 1024  # Meta's limit for images


def payload_problem(body: Any) -> str:
    """The limits Meta enforces, so tests prove the client never breaks them."""
    try:
        return _check_payload(body)
    except (AttributeError, KeyError, TypeError):
        return "malformed message body"


def _check_payload(body: Any) -> str:
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if body.get("status") == "read":
        return "" if body.get("message_id") else "message_id is required"
    if not body.get("to") and not body.get("recipient"):
        return "to or recipient is required"
    kind = body.get("type")
    if kind == "text":
        text = (body.get("text") or {}).get("body") or ""
        return "" if 0 < len(text) <= TEXT_MAX else "text.body must be 1 to 4096 characters"
    if kind in ("image", "document"):
        obj = body.get(kind) or {}
        if bool(obj.get("id")) == bool(obj.get("link")):
            return f"{kind} needs exactly one of id or link"
        if obj.get("link") and not str(obj["link"]).startswith(("http://", "https://")):
            return f"{kind}.link must be an http(s) URL"
        if len(obj.get("caption") or "") > CAPTION_MAX:
            return "caption must be at most 1024 characters"
        return ""
    if kind == "interactive":
        action = (body.get("interactive") or {}).get("action") or {}
        buttons = action.get("buttons") or []
        if len(buttons) > 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
            return "at most 3 buttons with titles of 20 characters"
        rows = [row for s in action.get("sections") or [] for row in s.get("rows") or []]
        if len(rows) > 10 or any(len(r["title"]) > 24 for r in rows):
            return "at most 10 rows with titles of 24 characters"
    return ""


def sent_media_id(body: dict[str, Any]) -> str:
    kind = body.get("type")
    obj = body.get(kind) if kind in ("image", "document") else None
    return str(obj.get("id") or "") if isinstance(obj, dict) else ""


def multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str]]:
    """A multipart/form-data body as {field name: (bytes, content type)}."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, tuple[bytes, str]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (payload if isinstance(payload, bytes) else b"", part.get_content_type())
    return fields
