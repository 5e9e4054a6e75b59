"""A raffle's prize photo: checked (a real JPEG, PNG or WebP image, not too large), stored
privately, audited."""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from raffles.audit import EventKind
from raffles.exceptions import InvalidInput
from raffles.models import Raffle
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


def photo_type(content: bytes) -> tuple[str, str]:
    """(MIME type, extension) of a JPEG, PNG or WebP image; InvalidInput for anything else."""
    limit = int(getattr(settings, "PRIZE_PHOTO_MAX_BYTES", 5 * 1024 * 1024))
    if not content:
        raise InvalidInput("The photo is empty.", field="prize_photo")
    if len(content) > limit:
        raise InvalidInput(
            f"The photo is larger than {limit // (1024 * 1024)} MB.", field="prize_photo"
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            if kind not in PHOTO_FORMATS or image.width * image.height > MAX_PIXELS:
                raise InvalidInput("Send a JPEG, PNG or WebP photo.", field="prize_photo")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput("Send a JPEG, PNG or WebP photo.", field="prize_photo") from None
    return PHOTO_FORMATS[kind]


def set_prize_photo(raffle: Raffle, *, content: bytes | None, by: ActorLike = None) -> Raffle:
    """Set the prize photo to `content` (checked by `photo_type`), or remove it (None)."""
    with transaction.atomic():
        fresh = Raffle.objects.select_for_update().get(pk=raffle.pk)
        old = fresh.prize_photo.name if fresh.prize_photo else ""
        if content is None:
            fresh.prize_photo = ""
            fresh.save(update_fields=["prize_photo", "updated_at"])
            log_event(kind=EventKind.PRIZE_PHOTO_SET, by=by, raffle=fresh, removed=True)
        else:
            mime, extension = photo_type(content)
            name = f"prize-{secrets.token_hex(6)}.{extension}"
            fresh.prize_photo.save(name, ContentFile(content), save=False)
            fresh.save(update_fields=["prize_photo", "updated_at"])
            log_event(
                kind=EventKind.PRIZE_PHOTO_SET,
                by=by,
                raffle=fresh,
                mime_type=mime,
                size=len(content),
            )
    if old and old != (fresh.prize_photo.name if fresh.prize_photo else ""):
        transaction.on_commit(lambda: fresh.prize_photo.storage.delete(old))
    return fresh


def prize_photo_bytes(raffle: Raffle) -> tuple[bytes, str] | None:
    """The photo's bytes and MIME type, or None when the raffle has none (or it is gone)."""
    if not raffle.prize_photo:
        return None
    try:
        with raffle.prize_photo.open("rb") as handle:
            content = handle.read()
    except OSError:
        return None
    try:
        return content, photo_type(content)[0]
    except InvalidInput:
        return None
