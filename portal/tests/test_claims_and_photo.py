"""Staff see a raffle's prize claims and move them on (audited); staff upload the prize
photo (checked, stored privately, shown only to staff)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from raffles import services
from raffles.models import ClaimStatus, OrderEvent, Raffle, WinnerClaim
from raffles.tests.drawing import sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(raffle: Raffle, buyer: Any) -> Raffle:
    sell(raffle, [7], buyer)
    services.close_raffle(raffle)
    services.draw_raffle(raffle, external_value="lottery 9", prizes=1)
    return raffle


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_staff_see_the_claims_of_a_raffle(staff_client: Client, drawn: Raffle) -> None:
    claim = WinnerClaim.objects.get(raffle=drawn)
    page = staff_client.get(reverse("portal:raffle-claims", args=[drawn.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert claim.order.code in html
    assert "07" in html
    assert 'data-testid="claim-status">open<' in html


def test_staff_mark_a_claim_delivered_with_a_note(
    staff_client: Client, staff_user: Any, drawn: Raffle
) -> None:
    claim = WinnerClaim.objects.get(raffle=drawn)
    url = reverse("portal:raffle-claims", args=[drawn.pk])
    response = staff_client.post(
        url, {"claim": claim.pk, "status": "delivered", "note": "Handed over at the shop"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DELIVERED
    assert claim.staff_note == "Handed over at the shop"
    event = OrderEvent.objects.get(kind="claim_updated", order=claim.order)
    assert event.actor_user == staff_user


def test_a_claim_of_another_raffle_is_not_found(staff_client: Client, drawn: Raffle) -> None:
    from raffles.tests.factories import make_raffle

    other = make_raffle(size=10)
    claim = WinnerClaim.objects.get(raffle=drawn)
    url = reverse("portal:raffle-claims", args=[other.pk])
    assert staff_client.post(url, {"claim": claim.pk, "status": "expired"}).status_code == 404


def test_staff_upload_the_prize_photo(staff_client: Client, raffle: Raffle) -> None:
    edit = staff_client.get(reverse("portal:raffle-edit", args=[raffle.pk]))
    assert 'data-testid="prize-photo-form"' in edit.content.decode()
    content = png()
    upload = io.BytesIO(content)
    upload.name = "bike.png"
    url = reverse("portal:raffle-photo", args=[raffle.pk])
    response = staff_client.post(url, {"photo": upload})
    assert response.status_code == 302
    raffle.refresh_from_db()
    assert raffle.prize_photo
    shown = staff_client.get(reverse("portal:raffle-photo-file", args=[raffle.pk]))
    assert shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == content


def test_a_file_that_is_not_a_photo_is_refused_inline(staff_client: Client, raffle: Raffle) -> None:
    upload = io.BytesIO(b"%PDF-1.4 not a photo")
    upload.name = "prize.png"
    url = reverse("portal:raffle-photo", args=[raffle.pk])
    response = staff_client.post(url, {"photo": upload})
    assert response.status_code == 200
    assert "JPEG, PNG or WebP" in response.content.decode()
    raffle.refresh_from_db()
    assert not raffle.prize_photo


def test_the_photo_is_refused_to_anyone_but_staff(
    plain_client: Client, staff_client: Client, raffle: Raffle
) -> None:
    services.set_prize_photo(raffle, content=png())
    url = reverse("portal:raffle-photo-file", args=[raffle.pk])
    assert Client().get(url).status_code == 302  # to the sign-in page
    assert plain_client.get(url).status_code == 403
    assert staff_client.get(url).status_code == 200
