"""The public page opened with a seller's code (`?s=ANA`) carries it into its WhatsApp
messages and shows nothing else about the seller; an unknown code is ignored."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from raffles.models import Raffle
from raffles.services import sellers
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_DISPLAY_NUMBER = "15550001234"


@pytest.fixture
def raffle() -> Raffle:
    user = get_user_model().objects.create_user(
        "ana.secret", first_name="Anabel", last_name="Privada", is_staff=True
    )
    sellers.save_seller(user=user, code="ANA", by=None)
    return make_raffle(size=100)


@pytest.mark.parametrize(("lang", "word"), [("en", "seller"), ("es", "vendedor")])
def test_the_code_reaches_the_whatsapp_messages(
    client: Client, raffle: Raffle, lang: str, word: str
) -> None:
    html = client.get(f"/r/{raffle.public_id}/?s=ana&lang={lang}").content.decode()
    assert quote(f"({word} #S-ANA)", safe="") in html  # the wa.me link
    assert f"({word} #S-ANA)" in html  # the messages the page's script fills
    for private in ("Anabel", "Privada", "ana.secret"):
        assert private not in html


def test_an_unknown_code_and_no_code_leave_the_messages_alone(
    client: Client, raffle: Raffle
) -> None:
    plain = client.get(f"/r/{raffle.public_id}/").content.decode()
    unknown = client.get(f"/r/{raffle.public_id}/?s=NOBODY").content.decode()
    assert "#S-" not in plain
    assert "#S-" not in unknown
    # The page with a code is cached apart: the plain page never carries it.
    client.get(f"/r/{raffle.public_id}/?s=ANA")
    assert "#S-" not in client.get(f"/r/{raffle.public_id}/").content.decode()


def test_the_qr_codes_carry_the_code(client: Client, raffle: Raffle) -> None:
    from raffles.public import qr
    from raffles.public.selectors import public_page_url

    page = client.get(f"/r/{raffle.public_id}/qr/page.svg?s=ANA")
    assert page.content == qr.render(f"{public_page_url(raffle)}?s=ANA", "svg")
    plain = client.get(f"/r/{raffle.public_id}/qr/page.svg")
    assert plain.content == qr.render(public_page_url(raffle), "svg")
    whatsapp = client.get(f"/r/{raffle.public_id}/qr/whatsapp.svg?s=ANA")
    assert whatsapp.status_code == 200
    assert whatsapp.content != client.get(f"/r/{raffle.public_id}/qr/whatsapp.svg").content
