"""What Meta refuses, as the fake Graph API (fakegraph.py) checks it: message bodies (text
length, buttons, list rows, media by id or link, the shape of a template send) and multipart
media uploads."""

from __future__ import annotations

import email.parser
import email.policy
import secrets
from dataclasses import dataclass
from typing import Any

TEXT_MAX = 4096
CAPTION_MAX = 1024
UPLOAD_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
UPLOAD_MAX = 5 * 1024 * 1024  # Meta's limit for images
TEMPLATE_PARAM_MAX = 1024
TEMPLATE_BUTTON_TYPES = {"quick_reply": "payload", "url": "text"}

ERROR_TITLES = {
    4: "Application request limit reached",
    100: "Invalid parameter",
    190: "Invalid OAuth access token",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}


def graph_error(code: int, message: str, details: str = "") -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": "Fake" + secrets.token_hex(6),
        }
    }


@dataclass(frozen=True)
class TemplateSpec:
    """What an approved template takes: its number of body parameters and its buttons'
    sub_types in order (a quick reply's payload or a URL's suffix is sent for each)."""

    body_params: int
    buttons: tuple[str, ...] = ()


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
        interactive = body.get("interactive") or {}
        if interactive.get("type") == "cta_url":
            return _cta_url_problem(interactive)
        action = interactive.get("action") or {}
        buttons = action.get("buttons") or []
        if len(buttons) > 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
            return "at most 3 buttons with titles of 20 characters"
        rows = [row for s in action.get("sections") or [] for row in s.get("rows") or []]
        if len(rows) > 10 or any(len(r["title"]) > 24 for r in rows):
            return "at most 10 rows with titles of 24 characters"
    if kind == "template":
        return _template_shape_problem(body.get("template"))
    return ""


def _cta_url_problem(interactive: dict[str, Any]) -> str:
    """Meta's call-to-action URL button: a body of 1 to 1024 characters, action.name
    "cta_url", and parameters display_text (at most 20 characters) and an http(s) url."""
    text = (interactive.get("body") or {}).get("text") or ""
    if not 0 < len(text) <= 1024:
        return "interactive.body.text must be 1 to 1024 characters"
    action = interactive.get("action") or {}
    if action.get("name") != "cta_url":
        return "a cta_url message needs action.name cta_url"
    parameters = action.get("parameters") or {}
    display = parameters.get("display_text") or ""
    if not 0 < len(display) <= 20:
        return "display_text must be 1 to 20 characters"
    if not str(parameters.get("url") or "").startswith(("http://", "https://")):
        return "url must be an http(s) URL"
    return ""


def _template_shape_problem(template: Any) -> str:
    """Meta's shape of a template send: name, language.code, and components of type header,
    body or button; a button has a sub_type and a string index, and one parameter of the
    kind its sub_type takes; text parameters hold no newline, tab or run of 5 spaces."""
    if not isinstance(template, dict) or not template.get("name"):
        return "template.name is required"
    if not (template.get("language") or {}).get("code"):
        return "template.language.code is required"
    seen: set[str] = set()
    for component in template.get("components") or []:
        kind = component["type"]
        if kind not in {"header", "body", "button"}:
            return f"unknown component type {kind!r}"
        if kind == "button":
            index = component["index"]
            if not isinstance(index, str) or not index.isdigit() or index in seen:
                return "a button component needs a unique index, a string of digits"
            seen.add(index)
            wanted = TEMPLATE_BUTTON_TYPES.get(component.get("sub_type", ""))
            parameters = component["parameters"]
            if wanted is None or len(parameters) != 1 or parameters[0]["type"] != wanted:
                return "a quick_reply button takes one payload, a url button one text"
            if not parameters[0][wanted]:
                return "a button parameter cannot be empty"
            continue
        for parameter in component["parameters"]:
            if parameter["type"] != "text":
                continue
            text = parameter["text"]
            if not text or len(text) > TEMPLATE_PARAM_MAX:
                return "a text parameter takes 1 to 1024 characters"
            if "\n" in text or "\t" in text or "     " in text:
                return "a text parameter cannot hold newlines, tabs or more than 4 spaces"
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


def template_problem(
    body: dict[str, Any], approved: dict[tuple[str, str], TemplateSpec]
) -> tuple[int, str] | None:
    """Meta's answer to a template send when only `approved` templates exist: 132001 for a
    template it doesn't know, 132000 for the wrong parameters; None when it would send."""
    if body.get("type") != "template" or not approved:
        return None
    template = body["template"]
    spec = approved.get((template["name"], template["language"]["code"]))
    if spec is None:
        return 132001, f"template {template['name']} ({template['language']['code']})"
    components = template.get("components") or []
    params = sum(len(c["parameters"]) for c in components if c["type"] == "body")
    buttons = tuple(
        c["sub_type"]
        for c in sorted(
            (c for c in components if c["type"] == "button"), key=lambda c: int(c["index"])
        )
    )
    if params != spec.body_params or buttons != spec.buttons:
        return 132000, f"body takes {spec.body_params}, buttons {list(spec.buttons)}"
    return None
