"""What the fake Graph API refuses, as Meta does: the limits of a message body and the shape
of a template send, so tests prove the client never breaks them."""

from __future__ import annotations

from typing import Any

TEXT_MAX = 4096
TEMPLATE_PARAM_MAX = 1024
TEMPLATE_BUTTON_TYPES = {"quick_reply": "payload", "url": "text"}


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
    if kind == "interactive":
        action = (body.get("interactive") or {}).get("action") or {}
        buttons = action.get("buttons") or []
        if len(buttons) > 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
            return "at most 3 buttons with titles of 20 characters"
        rows = [row for s in action.get("sections") or [] for row in s.get("rows") or []]
        if len(rows) > 10 or any(len(r["title"]) > 24 for r in rows):
            return "at most 10 rows with titles of 24 characters"
    if kind == "template":
        return _template_shape_problem(body.get("template"))
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
