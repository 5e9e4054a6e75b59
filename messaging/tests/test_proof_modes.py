"""A payment proof downloaded from WhatsApp is stored private: file 0600, folder 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from messaging.models import InboundMessage

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200


def _mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.django_db
@pytest.mark.usefixtures("echo_handler", "open_umask")
def test_a_downloaded_payment_proof_is_private(fake_graph, post_webhook):
    fake_graph.add_media("65463453", JPEG, "image/jpeg")
    assert post_webhook("message-image.json").status_code == 200
    message = InboundMessage.objects.get()
    assert message.media_status == InboundMessage.MediaStatus.DOWNLOADED
    assert _mode(message.media_file.path) == 0o600
    assert _mode(Path(message.media_file.path).parent) == 0o700
