"""Sandbox mode: files registered by the simulator are "downloaded" through the same checks."""

from __future__ import annotations

import pytest

from messaging.channel import sandbox
from messaging.exceptions import MediaRefused, MediaTypeNotAllowed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db
def test_registered_media_round_trips() -> None:
    media_id = sandbox.register_media(PNG, "image/png", "receipt.png")
    media = sandbox.download_media(media_id)
    assert media.content == PNG
    assert media.mime_type == "image/png"


@pytest.mark.django_db
def test_unknown_or_forged_ids_are_refused() -> None:
    for media_id in ("sandbox-0000", "../etc/passwd", "sandbox-../../x"):
        with pytest.raises(MediaRefused):
            sandbox.download_media(media_id)


@pytest.mark.django_db
def test_wrong_content_is_refused_at_registration() -> None:
    with pytest.raises(MediaTypeNotAllowed):
        sandbox.register_media(b"MZ\x90\x00 not a picture", "image/png", "x.png")
