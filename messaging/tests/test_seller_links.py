"""A seller's personal link (the page's message with `#S-CODE`) and a code typed later credit
the buyer's next orders to that seller: through the real webhook (signed POST, the tasks, the
fake Graph API), in en, es and pt-BR."""

from __future__ import annotations

import pytest
from django.utils import translation

from messaging.bot.flow import page_links
from messaging.testing.world import Phone, all_text
from raffles import services
from raffles.models import Order, OrderAttribution, SellerReferral
from raffles.public import links
from raffles.services import sellers
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike():
    make_raffle(size=100, title="Television")
    raffle = make_raffle(size=10_000, title="Mountain bike", payment_instructions="Pay ACME")
    services.update_raffle(raffle=raffle, slug="bike-2026")
    raffle.refresh_from_db()
    return raffle


@pytest.fixture
def ana(django_user_model):
    user = django_user_model.objects.create_user("ana", password="x", is_staff=True)
    return sellers.save_seller(user=user, code="ANA", by=None)


@pytest.fixture
def beto(django_user_model):
    user = django_user_model.objects.create_user("beto", password="x", is_staff=True)
    return sellers.save_seller(user=user, code="BETO", by=None)


def _order_of(phone: Phone) -> Order:
    return Order.objects.get(buyer__phone="+" + phone.wa_id)


@pytest.mark.parametrize("code", ["en", "es", "pt-br"])
def test_the_sellers_link_credits_the_order(post_webhook, fake_graph, bike, ana, code):
    with translation.override(code):
        text = links.with_seller(
            links.prefilled_text(bike.slug, bike.number_width, numbers=[12]), ana.code
        )
    assert "#S-ANA" in text
    phone = Phone(post_webhook, fake_graph, f"4470091{len(code)}00", "Carla")
    answer = all_text(phone.text(text))
    assert "0012" in answer, (text, answer)
    assert "Pay ACME" in answer
    credit = OrderAttribution.objects.get(order=_order_of(phone))
    assert (credit.seller, credit.via) == (ana, OrderAttribution.Via.LINK)


def test_a_code_typed_later_credits_the_next_order_only(post_webhook, fake_graph, bike, ana, beto):
    phone = Phone(post_webhook, fake_graph, "447009200", "Carla")
    first = links.with_seller(links.prefilled_text(bike.slug, bike.number_width, qty=2), "ANA")
    answer = all_text(phone.text(first))
    assert Order.objects.exists(), (first, answer)
    first_order = _order_of(phone)
    # While buying she types another seller's code (the conversation is about the bike).
    assert "Mountain bike" in all_text(phone.text("#S-BETO"))  # back to the bike
    assert SellerReferral.objects.get(buyer=first_order.buyer, raffle=bike).seller == beto
    services.confirm_paid(first_order, by=None)  # paid: she may buy again
    phone.text(links.prefilled_text(bike.slug, bike.number_width, numbers=[77]))
    second = Order.objects.filter(buyer=first_order.buyer).exclude(pk=first_order.pk).get()
    assert OrderAttribution.objects.get(order=first_order).seller == ana  # never moved
    assert OrderAttribution.objects.get(order=second).seller == beto  # last touch


def test_an_unknown_code_is_ignored(post_webhook, fake_graph, bike, ana):
    phone = Phone(post_webhook, fake_graph, "447009300", "Carla")
    text = links.with_seller(links.prefilled_text(bike.slug, bike.number_width, qty=1), "NOBODY")
    answer = all_text(phone.text(text))
    assert "Pay ACME" in answer
    assert not OrderAttribution.objects.filter(order=_order_of(phone)).exists()


def test_a_buyer_without_a_seller_gets_no_credit(post_webhook, fake_graph, bike, ana):
    phone = Phone(post_webhook, fake_graph, "447009400", "Carla")
    phone.text(links.prefilled_text(bike.slug, bike.number_width, numbers=[5]))
    assert not OrderAttribution.objects.exists()


def test_parse_leaves_the_sellers_code_out() -> None:
    text = "Hi! I want numbers 0012 in raffle #moto (seller #S-ANA)"
    assert page_links.parse(text) == page_links.PageLink("moto", numbers=(12,))
    assert page_links.seller_code(text) == "ANA"
    assert page_links.seller_code("¡Hola! Quiero participar de la rifa #moto (vendedor #S-j23)")
    assert page_links.seller_code("Hi #moto") is None
    assert page_links.seller_code("#S-A") is None  # too short


def test_a_code_alone_opens_the_menu(post_webhook, fake_graph, bike, ana):
    phone = Phone(post_webhook, fake_graph, "447009500", "Carla")
    phone.text("hello")
    answer = all_text(phone.text("#S-ANA"))
    assert "empty message" not in answer
    assert "Raffles on sale" in answer  # the menu
    assert SellerReferral.objects.get(raffle__isnull=True).seller == ana


@pytest.mark.parametrize("typed", ["#s-ana", "#S-ana", "#s-ANA"])
def test_a_typed_code_is_read_in_any_case(typed: str) -> None:
    """Buyers type the code a seller told them; phones lower-case it."""
    text = f"Hi! I want numbers 0012 in raffle #moto (seller {typed})"
    assert page_links.seller_code(text) == "ANA"
    assert page_links.parse(text) == page_links.PageLink("moto", numbers=(12,))


def test_a_lowercase_code_credits_the_order(post_webhook, fake_graph, bike, ana):
    phone = Phone(post_webhook, fake_graph, "447009600", "Carla")
    phone.text("#s-ana")
    phone.text(links.prefilled_text(bike.slug, bike.number_width, numbers=[21]))
    credit = OrderAttribution.objects.get(order=_order_of(phone))
    assert credit.seller == ana
