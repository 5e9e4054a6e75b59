"""The public raffle page: what it shows, what it never shows, who can see it."""

from __future__ import annotations

import pytest
from django.test import Client

from raffles import services
from raffles.models import Raffle
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_DISPLAY_NUMBER = "15550001234"
    settings.ORGANIZER_NAME = "Club Rifas"


def test_page_shows_the_raffle_and_hides_every_buyer(client: Client) -> None:
    raffle = make_raffle(size=100, prize="A red bike", description="Win it", rules="One prize.")
    buyer = BuyerFactory(name="Marisol Quintero", phone="+5215512349876")
    order = services.reserve_specific(raffle.pk, [7, 8], buyer)
    services.confirm_paid(order)
    response = client.get(f"/r/{raffle.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("Test raffle", "A red bike", "Win it", "One prize.", "Club Rifas", "10.00"):
        assert shown in html
    assert 'id="sold">2<' in html
    assert 'id="available">98<' in html
    for hidden in ("Marisol", "Quintero", "9876", "+52155", order.code):
        assert hidden not in html
    feed = client.get(f"/r/{raffle.public_id}/board.json?block=0").content.decode()
    for hidden in ("Marisol", "9876", order.code):
        assert hidden not in feed


def test_slug_and_legacy_links_reach_the_page(client: Client) -> None:
    raffle = make_raffle(size=10)
    services.update_raffle(raffle=raffle, slug="Moto-2026")
    assert client.get("/r/moto-2026/").status_code == 200
    legacy = client.get(f"/raffles/{raffle.public_id}/")
    assert legacy.status_code == 301
    assert legacy["Location"] == f"/r/{raffle.public_id}/"
    assert client.get(f"/raffles/{raffle.public_id}/draw/").status_code == 200


def test_a_slug_is_unique_and_well_formed() -> None:
    from raffles.exceptions import InvalidInput

    first = make_raffle(size=10)
    second = make_raffle(size=10)
    services.update_raffle(raffle=first, slug="bike")
    with pytest.raises(InvalidInput) as taken:
        services.update_raffle(raffle=second, slug="bike")
    assert taken.value.fields["field"] == "slug"
    with pytest.raises(InvalidInput):
        services.update_raffle(raffle=second, slug="no spaces!")


@pytest.mark.parametrize("path", ["/r/{}/", "/r/{}/board.json?block=0", "/r/{}/qr/page.png"])
def test_drafts_are_not_public(client: Client, path: str) -> None:
    draft = make_raffle(size=10, active=False)
    assert draft.status == Raffle.Status.DRAFT
    assert client.get(path.format(draft.public_id)).status_code == 404
    assert client.get(f"/raffles/{draft.public_id}/").status_code == 404


def test_a_status_other_than_active_closed_drawn_is_not_public(client: Client) -> None:
    raffle = make_raffle(size=10)
    Raffle.objects.filter(pk=raffle.pk).update(status="archived")
    assert client.get(f"/r/{raffle.public_id}/").status_code == 404


def test_the_page_is_served_from_cache_until_a_sale(
    client: Client,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    raffle = make_raffle(size=100)
    url = f"/r/{raffle.public_id}/"
    assert 'id="sold">0<' in client.get(url).content.decode()
    with django_assert_max_num_queries(0):  # raffle, version and page all cached
        assert client.get(url).status_code == 200
    order = services.reserve_specific(raffle.pk, [3], BuyerFactory())
    services.confirm_paid(order)
    assert 'id="sold">1<' in client.get(url).content.decode()


def test_the_language_follows_the_browser_and_the_switch(client: Client) -> None:
    raffle = make_raffle(size=10)
    url = f"/r/{raffle.public_id}/"
    spanish = client.get(url, headers={"accept-language": "es"}).content.decode()
    assert "Comprar por WhatsApp" in spanish
    switched = client.get(url + "?lang=pt-br")
    assert "Comprar pelo WhatsApp" in switched.content.decode()
    assert client.cookies["django_language"].value == "pt-br"
    assert "Comprar pelo WhatsApp" in client.get(url).content.decode()


def test_share_tags_and_qr_codes(client: Client) -> None:
    raffle = make_raffle(size=10, prize="A bike")
    html = client.get(f"/r/{raffle.public_id}/").content.decode()
    assert 'property="og:title" content="Test raffle"' in html
    assert 'name="twitter:card"' in html
    assert "<script>" not in html
    assert "<script src=" in html
    for target in ("page", "whatsapp"):
        png = client.get(f"/r/{raffle.public_id}/qr/{target}.png")
        assert png.status_code == 200
        assert png["Content-Type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
        svg = client.get(f"/r/{raffle.public_id}/qr/{target}.svg")
        assert svg["Content-Type"] == "image/svg+xml"
        assert b"<svg" in svg.content
    assert client.get(f"/r/{raffle.public_id}/qr/page.gif").status_code == 404


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_prize_photo_is_shown_and_served_only_while_the_raffle_is_public(
    client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_BASE_URL = "https://rifas.example.test"
    raffle = make_raffle(size=10)
    services.set_prize_photo(raffle, content=_png())
    html = client.get(f"/r/{raffle.public_id}/").content.decode()
    photo = f"/r/{raffle.public_id}/photo/"
    assert f'src="{photo}"' in html
    assert f'content="https://rifas.example.test{photo}"' in html
    response = client.get(photo)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    draft = make_raffle(size=10)
    services.set_prize_photo(draft, content=_png())
    Raffle.objects.filter(pk=draft.pk).update(status=Raffle.Status.DRAFT)
    assert client.get(f"/r/{draft.public_id}/photo/").status_code == 404


def test_a_raffle_without_a_photo_has_none(client: Client) -> None:
    raffle = make_raffle(size=10)
    assert "/photo/" not in client.get(f"/r/{raffle.public_id}/").content.decode()
    assert client.get(f"/r/{raffle.public_id}/photo/").status_code == 404
