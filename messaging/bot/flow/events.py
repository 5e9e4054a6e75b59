"""What the buyer sent, reduced to what the flow needs. Channel-agnostic and pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    BUTTON = "button"  # a reply button (or a template's quick-reply button)
    LIST = "list"  # a row picked from a list message
    MEDIA = "media"  # an image or a document: maybe a payment proof
    OTHER = "other"  # audio, video, sticker, location, contacts, reaction, unsupported...


@dataclass(frozen=True)
class Media:
    media_id: str = ""
    mime_type: str = ""  # as sniffed from the bytes when known, else as claimed
    filename: str = ""
    ok: bool = True  # False: the channel refused or failed to download it
    error: str = ""


@dataclass(frozen=True)
class InboundEvent:
    kind: Kind
    text: str = ""  # the text, a caption, or a tapped button's title
    reply_id: str = ""  # the id of a tapped button or list row
    media: Media | None = None
    type: str = ""  # the channel's message type (audio, sticker, location...)

    @classmethod
    def text_message(cls, text: str) -> InboundEvent:
        return cls(Kind.TEXT, text=text, type="text")

    @classmethod
    def button(cls, reply_id: str, title: str = "") -> InboundEvent:
        return cls(Kind.BUTTON, text=title, reply_id=reply_id, type="interactive")

    @classmethod
    def list_pick(cls, reply_id: str, title: str = "") -> InboundEvent:
        return cls(Kind.LIST, text=title, reply_id=reply_id, type="interactive")

    @classmethod
    def media_message(
        cls, media_id: str, mime_type: str, filename: str = "", *, kind: str = "image"
    ) -> InboundEvent:
        return cls(
            Kind.MEDIA,
            media=Media(media_id=media_id, mime_type=mime_type, filename=filename),
            type=kind,
        )

    @classmethod
    def other(cls, type_: str) -> InboundEvent:
        return cls(Kind.OTHER, type=type_)
