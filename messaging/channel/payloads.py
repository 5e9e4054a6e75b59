"""Graph API request bodies, with WhatsApp's limits enforced here, never discovered as errors.

Lengths are counted in UTF-16 code units (the stricter count, so an emoji-heavy title fits
whatever Meta counts). Long texts are split and long titles truncated deterministically: the
same input always gives the same messages. Structural mistakes (four buttons, eleven rows,
empty text) raise `InvalidOutboundMessage`: those are bugs in the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from messaging.channel.webhook_parsing import is_bsuid
from messaging.exceptions import InvalidOutboundMessage

TEXT_MAX = 4096
CAPTION_MAX = 1024
INTERACTIVE_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_MAX_ROWS = 10
LIST_MAX_SECTIONS = 10
LIST_BUTTON_MAX = 20
ROW_ID_MAX = 200
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
SECTION_TITLE_MAX = 24
TEMPLATE_PARAM_MAX = 1024
TEMPLATE_MAX_BUTTONS = 10
ELLIPSIS = "…"

Row = tuple[str, str, str]  # (id, title, description)
Section = tuple[str, Sequence[Row]]  # (title, rows)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """Length (in code points) of the longest prefix of `text` within `limit` units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def truncate(text: str, limit: int) -> str:
    text = text.strip()
    if units(text) <= limit:
        return text
    return text[: _fit(text, limit - 1)].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Split at a paragraph, line or word break in the second half of the window, else hard."""
    remaining = text.strip()
    if not remaining:
        raise InvalidOutboundMessage("A text message cannot be empty")
    parts: list[str] = []
    while units(remaining) > limit:
        size = _fit(remaining, limit)
        window = remaining[:size]
        cut = size
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at >= size // 2:
                cut = at
                break
        chunk = remaining[:cut].rstrip()
        if chunk:
            parts.append(chunk)
        remaining = remaining[cut:].lstrip()
    if remaining:
        parts.append(remaining)
    return parts


def recipient(to: str) -> dict[str, str]:
    """Address a message: a phone-based WhatsApp id goes in `to`; a business-scoped user id
    (a user known only by their username) goes in `recipient`, as Meta documents."""
    return {"recipient": to} if is_bsuid(to) else {"to": to}


def _base(to: str, kind: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient(to),
        "type": kind,
    }


def text(to: str, body: str, *, preview_url: bool = False) -> list[dict[str, Any]]:
    """One body per part of the split text."""
    return [
        {**_base(to, "text"), "text": {"preview_url": preview_url, "body": part}}
        for part in split_text(body)
    ]


def _interactive_frame(body: str, header: str | None, footer: str | None) -> dict[str, Any]:
    body = truncate(body, INTERACTIVE_BODY_MAX)
    if not body:
        raise InvalidOutboundMessage("An interactive message needs a body text")
    frame: dict[str, Any] = {"body": {"text": body}}
    if header and header.strip():
        frame["header"] = {"type": "text", "text": truncate(header, HEADER_MAX)}
    if footer and footer.strip():
        frame["footer"] = {"text": truncate(footer, FOOTER_MAX)}
    return frame


def _check_unique(values: list[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise InvalidOutboundMessage(f"{what} must be unique: {values}")


def buttons(
    to: str,
    body: str,
    choices: Sequence[tuple[str, str]],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> dict[str, Any]:
    if not 1 <= len(choices) <= MAX_BUTTONS:
        raise InvalidOutboundMessage(f"Reply buttons take 1 to {MAX_BUTTONS} choices")
    replies: list[dict[str, Any]] = []
    for choice_id, title in choices:
        if not choice_id or len(choice_id) > BUTTON_ID_MAX:
            raise InvalidOutboundMessage(f"Button id must be 1 to {BUTTON_ID_MAX} characters")
        replies.append(
            {
                "type": "reply",
                "reply": {"id": choice_id, "title": truncate(title, BUTTON_TITLE_MAX)},
            }
        )
    _check_unique([r["reply"]["id"] for r in replies], "Button ids")
    _check_unique([r["reply"]["title"] for r in replies], "Button titles")
    interactive = {"type": "button", **_interactive_frame(body, header, footer)}
    interactive["action"] = {"buttons": replies}
    return {**_base(to, "interactive"), "interactive": interactive}


def cta_url(
    to: str,
    body: str,
    display_text: str,
    url: str,
    *,
    header: str | None = None,
    footer: str | None = None,
) -> dict[str, Any]:
    """A call-to-action URL button: the button opens `url`, which the buyer never sees."""
    if not url.startswith(("https://", "http://")):
        raise InvalidOutboundMessage("A call-to-action button needs an http(s) URL")
    if not display_text.strip():
        raise InvalidOutboundMessage("A call-to-action button needs a text")
    interactive = {"type": "cta_url", **_interactive_frame(body, header, footer)}
    interactive["action"] = {
        "name": "cta_url",
        "parameters": {"display_text": truncate(display_text, BUTTON_TITLE_MAX), "url": url},
    }
    return {**_base(to, "interactive"), "interactive": interactive}


def list_message(
    to: str,
    body: str,
    button_label: str,
    sections: Sequence[Section],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> dict[str, Any]:
    if not 1 <= len(sections) <= LIST_MAX_SECTIONS:
        raise InvalidOutboundMessage(f"A list takes 1 to {LIST_MAX_SECTIONS} sections")
    total = sum(len(rows) for _, rows in sections)
    if not 1 <= total <= LIST_MAX_ROWS:
        raise InvalidOutboundMessage(f"A list takes 1 to {LIST_MAX_ROWS} rows in all, not {total}")
    out_sections = []
    for title, rows in sections:
        if not rows:
            raise InvalidOutboundMessage("A list section cannot be empty")
        section: dict[str, Any] = {"rows": [_row(row) for row in rows]}
        if title and title.strip():
            section["title"] = truncate(title, SECTION_TITLE_MAX)
        elif len(sections) > 1:
            raise InvalidOutboundMessage("Each section needs a title when there are several")
        out_sections.append(section)
    _check_unique([row["id"] for s in out_sections for row in s["rows"]], "Row ids")
    label = truncate(button_label, LIST_BUTTON_MAX)
    if not label:
        raise InvalidOutboundMessage("A list needs a button label")
    interactive = {"type": "list", **_interactive_frame(body, header, footer)}
    interactive["action"] = {"button": label, "sections": out_sections}
    return {**_base(to, "interactive"), "interactive": interactive}


def _row(row: Row) -> dict[str, str]:
    row_id, title, description = row
    if not row_id or len(row_id) > ROW_ID_MAX:
        raise InvalidOutboundMessage(f"Row id must be 1 to {ROW_ID_MAX} characters")
    out = {"id": row_id, "title": truncate(title, ROW_TITLE_MAX)}
    if not out["title"]:
        raise InvalidOutboundMessage("A list row needs a title")
    if description and description.strip():
        out["description"] = truncate(description, ROW_DESCRIPTION_MAX)
    return out


def template_param(value: str) -> str:
    """Template parameters may not hold newlines, tabs or runs of more than four spaces."""
    return truncate(" ".join(str(value).split()), TEMPLATE_PARAM_MAX)


def template(
    to: str,
    name: str,
    language: str,
    params: Sequence[str] = (),
    *,
    buttons: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """A template message: body parameters in order, and per button of the template (in its
    order) `(sub_type, value)`: a quick reply's payload or a URL button's dynamic suffix."""
    if not name:
        raise InvalidOutboundMessage("A template message needs the template name")
    body: dict[str, Any] = {"name": name, "language": {"code": language or "en"}}
    components: list[dict[str, Any]] = []
    if params:
        components.append(
            {
                "type": "body",
                "parameters": [{"type": "text", "text": template_param(p)} for p in params],
            }
        )
    for index, (sub_type, value) in enumerate(buttons):
        components.append(_template_button(index, sub_type, value))
    if components:
        body["components"] = components
    return {**_base(to, "template"), "template": body}


def _template_button(index: int, sub_type: str, value: str) -> dict[str, Any]:
    if index >= TEMPLATE_MAX_BUTTONS:
        raise InvalidOutboundMessage(f"A template takes at most {TEMPLATE_MAX_BUTTONS} buttons")
    if not value:
        raise InvalidOutboundMessage("A template button needs its payload or URL suffix")
    if sub_type == "quick_reply":
        if len(value) > BUTTON_ID_MAX:
            raise InvalidOutboundMessage(f"A button payload takes {BUTTON_ID_MAX} characters")
        parameter = {"type": "payload", "payload": value}
    elif sub_type == "url":
        parameter = {"type": "text", "text": template_param(value)}
    else:
        raise InvalidOutboundMessage(f"Unsupported template button {sub_type!r}")
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": [parameter]}


def media(
    to: str,
    kind: str,
    *,
    media_id: str = "",
    link: str = "",
    caption: str = "",
    filename: str = "",
) -> dict[str, Any]:
    if kind not in {"image", "document"}:
        raise InvalidOutboundMessage(f"Unsupported media kind {kind!r}")
    if bool(media_id) == bool(link):
        raise InvalidOutboundMessage("Give exactly one of media_id or link")
    obj: dict[str, str] = {"id": media_id} if media_id else {"link": link}
    if caption.strip():
        obj["caption"] = truncate(caption, CAPTION_MAX)
    if kind == "document" and filename:
        obj["filename"] = filename[:240]
    return {**_base(to, kind), kind: obj}


def media_to_upload(to: str, kind: str, *, caption: str = "", filename: str = "") -> dict[str, Any]:
    """A media message whose file is uploaded when it is sent (`with_media_id` then)."""
    if kind not in {"image", "document"}:
        raise InvalidOutboundMessage(f"Unsupported media kind {kind!r}")
    obj: dict[str, str] = {}
    if caption.strip():
        obj["caption"] = truncate(caption, CAPTION_MAX)
    if kind == "document" and filename:
        obj["filename"] = filename[:240]
    return {**_base(to, kind), kind: obj}


def with_media_id(payload: dict[str, Any], media_id: str) -> dict[str, Any]:
    """The media message `payload` pointing to Meta's id of its uploaded file."""
    kind = str(payload["type"])
    obj = {k: v for k, v in dict(payload[kind]).items() if k not in ("id", "link")}
    return {**payload, kind: {"id": media_id, **obj}}


def media_id_of(payload: dict[str, Any]) -> str:
    """The uploaded media id a media message points to ("" when none yet)."""
    kind = payload.get("type")
    obj = payload.get(kind) if isinstance(kind, str) else None
    return str(obj.get("id") or "") if isinstance(obj, dict) else ""


def mark_read(message_id: str, *, typing: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": message_id,
    }
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body
