"""Media downloads through the fake Graph API: what is fetched, what is refused."""

from __future__ import annotations

import hashlib

import pytest

from messaging.channel.media import download_media, sniff
from messaging.exceptions import (
    GraphError,
    MediaHostNotAllowed,
    MediaIntegrityError,
    MediaTooLarge,
    MediaTypeNotAllowed,
)
from messaging.models import InboundMessage, OutboundMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 500
PDF = b"%PDF-1.7\n" + b"0" * 500


@pytest.mark.parametrize(
    ("content", "mime"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (PDF, "application/pdf")],
)
def test_downloads_accepted_types(fake_graph, content, mime):
    fake_graph.add_media("m1", content, "application/octet-stream")
    media = download_media("m1")
    assert media.content == content
    assert media.mime_type == mime  # from the bytes, not the claimed MIME
    assert media.sha256 == hashlib.sha256(content).hexdigest()
    info, download = fake_graph.requests
    assert info.path == "/v21.0/m1"
    assert download.path == "/media-download/m1"
    assert download.headers["Authorization"] == "Bearer test-graph-token"


@pytest.mark.parametrize(
    "content", [b"GIF89a" + b"\x00" * 100, b"<html>hi</html>", b"", b"MZ\x90\x00exe"]
)
def test_wrong_magic_bytes_are_refused(fake_graph, content):
    fake_graph.add_media("m1", content, "image/jpeg")
    with pytest.raises(MediaTypeNotAllowed):
        download_media("m1")


def test_redirect_to_another_host_is_refused(fake_graph):
    fake_graph.add_media("m1", JPEG, "image/jpeg", redirect_to="http://127.0.0.2:9/evil.jpg")
    with pytest.raises(MediaHostNotAllowed, match="another host"):
        download_media("m1")
    assert [r.path for r in fake_graph.requests] == ["/v21.0/m1", "/media-download/m1"]


def test_redirect_within_the_same_host_is_followed(fake_graph):
    fake_graph.add_media("m2", PNG, "image/png")
    fake_graph.add_media(
        "m1",
        JPEG,
        "image/jpeg",
        redirect_to=f"{fake_graph.base_url}/media-download/m2",
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    assert download_media("m1").content == PNG


def test_media_url_on_an_untrusted_plain_http_host_is_refused(fake_graph):
    fake_graph.add_media("m1", JPEG, "image/jpeg", url="http://example.com/m1")
    with pytest.raises(MediaHostNotAllowed, match="https"):
        download_media("m1")
    assert len(fake_graph.requests) == 1  # never contacted


def test_loopback_is_not_trusted_when_the_base_url_is_not_loopback(fake_graph, settings):
    from messaging.channel.media import check_media_url

    settings.WHATSAPP_API_BASE_URL = "https://graph.facebook.com"
    with pytest.raises(MediaHostNotAllowed):
        check_media_url(f"{fake_graph.base_url}/media-download/m1")
    check_media_url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")


def test_oversized_image_is_refused_by_its_declared_size(fake_graph, settings):
    settings.WHATSAPP_MAX_IMAGE_BYTES = 1000
    fake_graph.add_media("m1", JPEG, "image/jpeg")
    with pytest.raises(MediaTooLarge):
        download_media("m1")
    assert len(fake_graph.requests) == 1


def test_oversized_file_is_refused_while_streaming(fake_graph):
    big = JPEG + b"\x00" * (6 * 1024 * 1024)  # over the 5 MB image cap
    fake_graph.add_media("m1", big, "image/jpeg", declared_size=1000, send_length=False)
    with pytest.raises(MediaTooLarge):
        download_media("m1")


def test_oversized_file_is_refused_by_content_length(fake_graph, settings):
    settings.WHATSAPP_MAX_DOCUMENT_BYTES = 1024 * 1024
    big = PDF + b"\x00" * (3 * 1024 * 1024)
    fake_graph.add_media("m1", big, "application/pdf", declared_size=1000)
    with pytest.raises(MediaTooLarge):
        download_media("m1")


def test_an_image_disguised_as_a_document_gets_the_image_cap(fake_graph, settings):
    settings.WHATSAPP_MAX_IMAGE_BYTES = 1000
    fake_graph.add_media("m1", JPEG, "application/pdf")
    with pytest.raises(MediaTooLarge):
        download_media("m1")


def test_a_large_pdf_is_fine_under_the_document_cap(fake_graph, settings):
    settings.WHATSAPP_MAX_IMAGE_BYTES = 1000
    fake_graph.add_media("m1", PDF, "application/pdf")
    assert download_media("m1").mime_type == "application/pdf"


def test_checksum_mismatch_is_refused(fake_graph):
    fake_graph.add_media("m1", JPEG, "image/jpeg", sha256="0" * 64)
    with pytest.raises(MediaIntegrityError):
        download_media("m1")


def test_unknown_media_is_a_graph_error(fake_graph):
    with pytest.raises(GraphError) as info:
        download_media("nope")
    assert info.value.http_status == 404
    assert not info.value.retryable


def test_sniff():
    assert sniff(JPEG) == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WAVE") is None


# --- through the webhook ----------------------------------------------------------------
def test_an_inbound_image_is_downloaded_and_kept(fake_graph, post_webhook):
    fake_graph.add_media("65463453", JPEG, "image/jpeg")
    assert post_webhook("message-image.json").status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == "processed"
    assert message.media_status == InboundMessage.MediaStatus.DOWNLOADED
    assert message.media_content_type == "image/jpeg"
    assert message.media_size == len(JPEG)
    assert message.media_sha256 == hashlib.sha256(JPEG).hexdigest()
    with message.media_file.open("rb") as stored:
        assert stored.read() == JPEG
    assert message.media_file.name.startswith(f"whatsapp-media/{message.contact_id}/")
    # The default handler marked it read (over HTTP to the fake).
    assert OutboundMessage.objects.get().kind == "read"
    assert fake_graph.message_requests()[0].json["status"] == "read"


def test_an_inbound_document_with_a_refused_file_is_still_handled(fake_graph, post_webhook):
    fake_graph.add_media("1234567890987654321", b"not a pdf", "application/pdf")
    assert post_webhook("message-document.json").status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == "processed"
    assert message.media_status == InboundMessage.MediaStatus.REFUSED
    assert "JPEG, PNG, WebP" in message.media_error
    assert not message.media_file


def test_an_inbound_image_whose_media_is_gone(fake_graph, post_webhook):
    assert post_webhook("message-image.json").status_code == 200
    message = InboundMessage.objects.get()
    assert message.media_status == InboundMessage.MediaStatus.FAILED
    assert "404" in message.media_error or "Unsupported" in message.media_error
