"""Parse a webhook body into messages, statuses and other events. Pure: no database, no I/O.

Defensive by design: Meta adds shapes all the time, so nothing here may raise on an unknown or
malformed part. What is not understood becomes an `EventIn` and is stored as it came.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MEDIA_TYPES = frozenset({"image", "document", "audio", "video", "sticker"})
WA_ID_MAX = 32
USER_ID_MAX = 160  # a BSUID: country code, ".", up to 128 characters (parent ones add "ENT.")
USERNAME_MAX = 100
# A phone-based WhatsApp id is digits only; a business-scoped user id is "CC." + characters.
WA_ID_SHAPE = re.compile(r"^\d{1,32}$")
BSUID_SHAPE = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$")
CHANGED_FROM_TO = re.compile(r"changed from (\S+) to (\S+?)\.?$")
IDENTITY_SYSTEM_TYPES = frozenset({"user_changed_number", "user_changed_user_id"})


def is_bsuid(value: str) -> bool:
    return bool(BSUID_SHAPE.match(value or ""))


def split_identity(wa_id: Any, user_id: Any) -> tuple[str, str]:
    """(phone-based wa_id, BSUID) from what Meta sent: a BSUID-shaped value in a phone field
    becomes the BSUID, and nothing but digits is ever kept as a wa_id."""
    phone, bsuid = _str(wa_id).strip(), _str(user_id).strip()
    if is_bsuid(phone):
        bsuid, phone = bsuid or phone, ""
    if not WA_ID_SHAPE.match(phone):
        phone = ""
    if len(bsuid) > USER_ID_MAX:
        bsuid = ""
    return phone, bsuid


@dataclass(frozen=True)
class ContactIn:
    wa_id: str = ""
    profile_name: str = ""
    user_id: str = ""
    username: str = ""


@dataclass(frozen=True)
class IdentityChangeIn:
    """A user's phone number or BSUID changed: the contact known by the old ids takes the new."""

    old_wa_id: str = ""
    old_user_id: str = ""
    new_wa_id: str = ""
    new_user_id: str = ""


@dataclass(frozen=True)
class MessageIn:
    wa_message_id: str
    from_wa_id: str
    type: str
    timestamp: datetime | None
    payload: dict[str, Any]
    phone_number_id: str = ""
    text: str = ""
    reply_id: str = ""
    reply_title: str = ""
    context_message_id: str = ""
    media_id: str = ""
    media_mime: str = ""
    media_filename: str = ""
    from_user_id: str = ""
    identity_change: IdentityChangeIn | None = None


@dataclass(frozen=True)
class StatusIn:
    wa_message_id: str
    status: str
    timestamp: datetime | None
    payload: dict[str, Any]
    recipient_id: str = ""
    error_code: int | None = None
    error_title: str = ""
    recipient_user_id: str = ""


@dataclass(frozen=True)
class EventIn:
    kind: str
    payload: Any

    @property
    def dedup_key(self) -> str:
        canonical = json.dumps([self.kind, self.payload], sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()


@dataclass
class Batch:
    contacts: list[ContactIn] = field(default_factory=list)
    messages: list[MessageIn] = field(default_factory=list)
    statuses: list[StatusIn] = field(default_factory=list)
    events: list[EventIn] = field(default_factory=list)
    identity_changes: list[IdentityChangeIn] = field(default_factory=list)  # user_id_update

    def contact_info(self, wa_id: str, user_id: str) -> ContactIn | None:
        """What the delivery's `contacts` say about a sender known by these ids."""
        for info in self.contacts:
            if (user_id and info.user_id == user_id) or (wa_id and info.wa_id == wa_id):
                return info
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any, limit: int = 0) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int | float):
        text = str(value)
        return text[:limit] if limit else text
    return ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_timestamp(value: Any) -> datetime | None:
    """Meta's timestamps are unix seconds as strings."""
    seconds = _int(value)
    if seconds is None or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def clean_json(value: Any) -> Any:
    """Make parsed JSON storable everywhere: no NUL characters or lone surrogates in strings."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "\ufffd")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


def parse_webhook(data: dict[str, Any]) -> Batch:
    batch = Batch()
    entries = data.get("entry")
    if data.get("object") != "whatsapp_business_account" or not isinstance(entries, list):
        batch.events.append(EventIn(kind="unknown_object", payload=data))
        return batch
    for entry in entries:
        changes = _dict(entry).get("changes")
        if not isinstance(changes, list):
            batch.events.append(EventIn(kind="unknown_entry", payload=entry))
            continue
        for change in changes:
            _parse_change(batch, change)
    return batch


def _parse_change(batch: Batch, change: Any) -> None:
    change = _dict(change)
    field_name = _str(change.get("field"), 60)
    value = change.get("value")
    if field_name == "user_id_update" and isinstance(value, dict):
        _parse_user_id_update(batch, value)
    if field_name != "messages" or not isinstance(value, dict):
        batch.events.append(EventIn(kind=f"field:{field_name or 'unknown'}", payload=change))
        return
    phone_number_id = _str(_dict(value.get("metadata")).get("phone_number_id"), 64)
    for contact in _list(value.get("contacts")):
        contact = _dict(contact)
        wa_id, user_id = split_identity(contact.get("wa_id"), contact.get("user_id"))
        if wa_id or user_id:
            profile = _dict(contact.get("profile"))
            batch.contacts.append(
                ContactIn(
                    wa_id=wa_id,
                    profile_name=_str(profile.get("name"), 200),
                    user_id=user_id,
                    username=_str(profile.get("username"), USERNAME_MAX),
                )
            )
    for message in _list(value.get("messages")):
        parsed = _parse_message(message, phone_number_id)
        if isinstance(parsed, MessageIn):
            batch.messages.append(parsed)
        else:
            batch.events.append(parsed)
    for status in _list(value.get("statuses")):
        parsed_status = _parse_status(status)
        if isinstance(parsed_status, StatusIn):
            batch.statuses.append(parsed_status)
        else:
            batch.events.append(parsed_status)
    errors = _list(value.get("errors"))
    if errors:
        batch.events.append(EventIn(kind="error", payload=errors))
    known = {"messaging_product", "metadata", "contacts", "messages", "statuses", "errors"}
    extra = {k: v for k, v in value.items() if k not in known}
    if extra:
        batch.events.append(EventIn(kind="messages:extra", payload=extra))


def _parse_user_id_update(batch: Batch, value: dict[str, Any]) -> None:
    """The `user_id_update` field: a user's BSUID changed (with their phone number)."""
    for update in _list(value.get("user_id_update")):
        update = _dict(update)
        ids = _dict(update.get("user_id"))
        wa_id, _ = split_identity(update.get("wa_id"), "")
        _, old = split_identity("", ids.get("previous"))
        _, new = split_identity("", ids.get("current"))
        if old and new and old != new:
            batch.identity_changes.append(
                IdentityChangeIn(old_user_id=old, new_user_id=new, new_wa_id=wa_id)
            )


def _identity_change(message: dict[str, Any], body: dict[str, Any]) -> IdentityChangeIn | None:
    """A `system` message saying the sender's number or BSUID changed: old ids -> new ids."""
    kind = _str(body.get("type"))
    if kind not in IDENTITY_SYSTEM_TYPES:
        return None
    old_wa_id, old_user_id = split_identity(message.get("from"), message.get("from_user_id"))
    new_wa_id, new_user_id = split_identity(body.get("wa_id"), body.get("user_id"))
    match = CHANGED_FROM_TO.search(_str(body.get("body")).strip())
    if kind == "user_changed_user_id":
        if not old_user_id:
            said = match.group(1) if match else ""
            _, old_user_id = split_identity("", body.get("previous_user_id") or said)
        if not new_user_id and match:
            _, new_user_id = split_identity("", match.group(2))
        if old_wa_id and not new_wa_id:
            new_wa_id = old_wa_id  # the number did not change
    if not (old_wa_id or old_user_id) or not (new_wa_id or new_user_id):
        return None
    return IdentityChangeIn(old_wa_id, old_user_id, new_wa_id, new_user_id)


def _parse_message(message: Any, phone_number_id: str) -> MessageIn | EventIn:
    if not isinstance(message, dict):
        return EventIn(kind="message:malformed", payload=message)
    wa_message_id = _str(message.get("id"), 255)
    from_wa_id, from_user_id = split_identity(message.get("from"), message.get("from_user_id"))
    msg_type = _str(message.get("type"), 40) or "unknown"
    body = _dict(message.get(msg_type))
    change = _identity_change(message, body) if msg_type == "system" else None
    if change is not None and not (from_wa_id or from_user_id):
        from_wa_id, from_user_id = change.old_wa_id, change.old_user_id
    if not wa_message_id or not (from_wa_id or from_user_id):
        return EventIn(kind="message:incomplete", payload=message)
    fields: dict[str, str] = {}
    if msg_type == "text":
        fields["text"] = _str(body.get("body"))
    elif msg_type in MEDIA_TYPES:
        fields["text"] = _str(body.get("caption"))
        fields["media_id"] = _str(body.get("id"), 128)
        fields["media_mime"] = _str(body.get("mime_type"), 100)
        fields["media_filename"] = _str(body.get("filename"), 255)
    elif msg_type == "button":
        fields["text"] = _str(body.get("text"))
        fields["reply_id"] = _str(body.get("payload"), 256)
        fields["reply_title"] = _str(body.get("text"), 256)
    elif msg_type == "interactive":
        reply = _dict(body.get(_str(body.get("type"))))
        fields["reply_id"] = _str(reply.get("id"), 256)
        fields["reply_title"] = _str(reply.get("title"), 256)
        fields["text"] = _str(reply.get("title"))
    elif msg_type == "system":
        fields["text"] = _str(body.get("body"))
    return MessageIn(
        wa_message_id=wa_message_id,
        from_wa_id=from_wa_id,
        from_user_id=from_user_id,
        identity_change=change,
        type=msg_type,
        timestamp=parse_timestamp(message.get("timestamp")),
        payload=message,
        phone_number_id=phone_number_id,
        context_message_id=_str(_dict(message.get("context")).get("id"), 255),
        **fields,
    )


def _parse_status(status: Any) -> StatusIn | EventIn:
    if not isinstance(status, dict):
        return EventIn(kind="status:malformed", payload=status)
    wa_message_id = _str(status.get("id"), 255)
    value = _str(status.get("status"), 20)
    if not wa_message_id or not value:
        return EventIn(kind="status:incomplete", payload=status)
    error = _dict(next(iter(_list(status.get("errors"))), None))
    title = _str(error.get("title")) or _str(error.get("message"))
    details = _str(_dict(error.get("error_data")).get("details"))
    if details and details != title:
        title = f"{title} - {details}" if title else details
    return StatusIn(
        wa_message_id=wa_message_id,
        status=value,
        timestamp=parse_timestamp(status.get("timestamp")),
        payload=status,
        recipient_id=split_identity(status.get("recipient_id"), "")[0],
        recipient_user_id=split_identity("", status.get("recipient_user_id"))[1],
        error_code=_int(error.get("code")),
        error_title=title,
    )
