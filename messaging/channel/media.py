"""Download a buyer's media (payment proofs) from Meta, carefully.

Rules: the file is fetched only over https from the host Meta's media endpoint named (or, when
WHATSAPP_API_BASE_URL is a loopback address, from that base URL's origin: the fake Graph API
in tests). Redirects are followed only within the same origin. The size is capped while
streaming, and the type is decided by the content's magic bytes, never by the claimed MIME.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from messaging.channel.graph import GraphClient, error_from_response
from messaging.channel.media_ids import check_media_id
from messaging.exceptions import (
    GraphError,
    MediaHostNotAllowed,
    MediaIntegrityError,
    MediaTooLarge,
    MediaTypeNotAllowed,
)

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
CHUNK = 64 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class DownloadedMedia:
    content: bytes
    mime_type: str  # sniffed from the bytes
    sha256: str  # hex

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.mime_type, "bin")


def sniff(content: bytes) -> str | None:
    """The file type from its first bytes: JPEG, PNG, WebP or PDF, else None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port or default)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_media_url(url: str) -> None:
    scheme, host, _ = origin = _origin(url)
    if not host:
        raise MediaHostNotAllowed("The media URL has no host")
    if scheme == "https":
        return
    base = _origin(settings.WHATSAPP_API_BASE_URL)
    if _is_loopback(base[1]) and origin == base:
        return
    raise MediaHostNotAllowed(f"Media is only downloaded over https, not from {scheme}://{host}")


def _read_capped(response: requests.Response, cap: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise MediaTooLarge(f"The file is {int(declared)} bytes; the limit is {cap}")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_content(CHUNK):
            total += len(chunk)
            if total > cap:
                raise MediaTooLarge(f"The file is larger than the limit of {cap} bytes")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise GraphError(
            f"The media download broke off ({type(exc).__name__})", retryable=True
        ) from None
    return b"".join(chunks)


def _fetch(client: GraphClient, url: str, cap: int) -> bytes:
    check_media_url(url)
    origin = _origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        response = client.open_download(url)
        try:
            if response.is_redirect:
                target = urljoin(url, response.headers.get("Location", ""))
                if _origin(target) != origin:
                    raise MediaHostNotAllowed(
                        f"The media download redirects to another host ({_origin(target)[1]})"
                    )
                url = target
                continue
            if response.status_code >= 400:
                raise error_from_response(response)
            if response.status_code != 200:
                raise GraphError(f"Unexpected HTTP {response.status_code} for a media download")
            return _read_capped(response, cap)
        finally:
            response.close()
    raise MediaHostNotAllowed("Too many redirects for a media download")


def download_media(media_id: str, *, client: GraphClient | None = None) -> DownloadedMedia:
    """Fetch a media file by Meta's media id. Raises MediaRefused (or GraphError)."""
    check_media_id(media_id)  # before anything else: no request for a bad id
    client = client or GraphClient()
    image_cap = settings.WHATSAPP_MAX_IMAGE_BYTES
    document_cap = settings.WHATSAPP_MAX_DOCUMENT_BYTES
    info = client.media_info(media_id)
    cap = image_cap if info.mime_type.startswith("image/") else document_cap
    if info.file_size is not None and info.file_size > cap:
        raise MediaTooLarge(f"The file is {info.file_size} bytes; the limit is {cap}")
    media = check_content(_fetch(client, info.url, cap))
    if HEX_SHA256.match(info.sha256.lower()) and info.sha256.lower() != media.sha256:
        raise MediaIntegrityError()
    logger.info("whatsapp media %s downloaded: %s, %d bytes", media_id, media.mime_type, media.size)
    return media


def check_content(content: bytes) -> DownloadedMedia:
    """The checks every payment file passes, whatever brought it: type by content, size cap."""
    mime_type = sniff(content[:16])
    if mime_type is None:
        raise MediaTypeNotAllowed()
    cap = (
        settings.WHATSAPP_MAX_IMAGE_BYTES
        if mime_type in IMAGE_TYPES
        else settings.WHATSAPP_MAX_DOCUMENT_BYTES
    )
    if len(content) > cap:
        raise MediaTooLarge(f"The file is {len(content)} bytes; the limit is {cap}")
    return DownloadedMedia(
        content=content, mime_type=mime_type, sha256=hashlib.sha256(content).hexdigest()
    )
