"""Sandbox media: with no WhatsApp credentials, files a pretend buyer sends from the portal's
simulator are kept here (private storage) under a `sandbox-…` media id, and the channel
"downloads" them from here instead of from Meta, through the same content checks."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from messaging.channel.media import DownloadedMedia, check_content
from messaging.exceptions import MediaRefused

PREFIX = "sandbox-media/"


def register_media(content: bytes, mime_type: str = "", filename: str = "") -> str:
    """Keep an uploaded file and return the media id a webhook payload can name.

    The file is checked now (type by content, size) so the simulator can say what is wrong
    at once; `mime_type` and `filename` are what the pretend buyer's phone claimed."""
    check_content(content)
    media_id = f"sandbox-{secrets.token_hex(12)}"
    default_storage.save(PREFIX + media_id, ContentFile(content))
    return media_id


def download_media(media_id: str) -> DownloadedMedia:
    if not media_id.startswith("sandbox-") or not media_id[8:].isalnum():
        raise MediaRefused("Unknown sandbox media id")
    try:
        with default_storage.open(PREFIX + media_id, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        raise MediaRefused("Unknown sandbox media id") from None
    return check_content(content)
