"""Files we send (pictures, documents): stored once by content, uploaded to Meta once.

`store` keeps the bytes privately (deduplicated by SHA-256), so an outbox row can be sent
again after a crash or a retry without rendering anything. `ensure_uploaded` runs right
before the row's request: it reuses Meta's id when the file was uploaded in the last
`OutboundMedia.REUSE_FOR` (by this row's earlier attempt or another row's), else uploads it
and records the id at once, in its own small write, so a later retry does not upload again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from messaging.channel import clock
from messaging.channel.graph import GraphClient
from messaging.models import OutboundMedia

logger = logging.getLogger(__name__)

# A picture drawn when its row is sent: name → (arguments → (bytes, MIME type)).
Renderer = Callable[[dict[str, Any]], tuple[bytes, str]]
_renderers: dict[str, Renderer] = {}


class RenderFailed(Exception):
    """The picture cannot be drawn (its order is gone, no renderer of that name)."""


def register(name: str, renderer: Renderer) -> None:
    """Name a renderer for `outbox.queue_rendered_image` (done once, at import)."""
    _renderers[name] = renderer


def render(spec: dict[str, Any]) -> OutboundMedia:
    """Draw the picture a row's `render` names and store it (once by content)."""
    renderer = _renderers.get(str(spec.get("picture", "")))
    if renderer is None:
        raise RenderFailed(f"no renderer for {spec.get('picture')!r}")
    try:
        content, mime_type = renderer(spec)
    except RenderFailed:
        raise
    except Exception as exc:
        raise RenderFailed(f"{spec.get('picture')} not drawn: {exc}") from exc
    return store(content, mime_type)


EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def store(content: bytes, mime_type: str, filename: str = "") -> OutboundMedia:
    digest = hashlib.sha256(content).hexdigest()
    found = OutboundMedia.objects.filter(sha256=digest).first()
    if found is not None:
        return found
    name = filename or f"{digest[:16]}.{EXTENSIONS.get(mime_type, 'bin')}"
    media = OutboundMedia(sha256=digest, mime_type=mime_type, size=len(content), filename=name)
    media.file.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            media.save()
    except IntegrityError:  # the same bytes stored meanwhile by another transaction
        media.file.delete(save=False)
        return OutboundMedia.objects.get(sha256=digest)
    return media


def ensure_uploaded(media: OutboundMedia, client: GraphClient) -> str:
    """Meta's id for this file, uploading it only when no usable id is recorded."""
    media.refresh_from_db(fields=["graph_media_id", "uploaded_at"])
    now = clock.now()
    existing = media.uploaded_id(now)
    if existing:
        return existing
    with media.file.open("rb") as handle:
        content = handle.read()
    media_id = client.upload_media(content, media.mime_type, media.filename)
    OutboundMedia.objects.filter(pk=media.pk).update(graph_media_id=media_id, uploaded_at=now)
    media.graph_media_id, media.uploaded_at = media_id, now
    logger.info("whatsapp media %s uploaded as %s", media.pk, media_id)
    return media_id
