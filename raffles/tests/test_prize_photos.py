"""A raffle's prize photo: only real JPEG, PNG or WebP images under the size limit, stored
privately, audited."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from raffles import services
from raffles.exceptions import InvalidInput
from raffles.models import OrderEvent, Raffle

pytestmark = pytest.mark.django_db


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (20, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=kind)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_a_photo_is_stored_and_read_back(raffle: Raffle, kind: str, mime: str) -> None:
    content = image_bytes(kind)
    services.set_prize_photo(raffle, content=content)
    raffle.refresh_from_db()
    assert raffle.prize_photo.name.startswith(f"prize-photos/{raffle.public_id}/")
    assert services.prize_photo_bytes(raffle) == (content, mime)
    assert OrderEvent.objects.filter(raffle=raffle, kind="prize_photo_set").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.4 not a photo", b"GIF89a" + b"\0" * 20, image_bytes("GIF")],
)
def test_anything_but_a_photo_is_refused(raffle: Raffle, content: bytes) -> None:
    with pytest.raises(InvalidInput):
        services.set_prize_photo(raffle, content=content)
    raffle.refresh_from_db()
    assert not raffle.prize_photo


def test_a_photo_over_the_limit_is_refused(raffle: Raffle, settings) -> None:
    settings.PRIZE_PHOTO_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="larger"):
        services.set_prize_photo(raffle, content=image_bytes(size=(400, 400)))


def test_the_photo_can_be_removed(raffle: Raffle) -> None:
    services.set_prize_photo(raffle, content=image_bytes())
    services.set_prize_photo(raffle, content=None)
    raffle.refresh_from_db()
    assert not raffle.prize_photo
    assert services.prize_photo_bytes(raffle) is None
