"""An early-bird draw's result reaches the buyers whose paid numbers took part: the winner
hears she won and that her numbers still play in the main draw; a buyer who paid after the
cutoff hears nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.channel.identity import get_contact
from messaging.models import Contact, OutboundMessage
from messaging.testing.world import body_of
from raffles import services
from raffles.models import EarlyDraw, Order
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def _contact(wa_id: str) -> Contact:
    contact = get_contact(wa_id)
    contact.last_inbound_at = timezone.now() - timedelta(minutes=5)  # window open
    contact.save()
    return contact


def texts(contact: Contact) -> list[str]:
    rows = OutboundMessage.objects.filter(contact=contact).exclude(kind__in=["read", "image"])
    return [body_of(row.payload) for row in rows]


def _paid(raffle_id: int, number: int, contact: Contact) -> Order:
    return services.confirm_paid(services.reserve_specific(raffle_id, [number], contact.buyer))


def test_an_early_bird_draw_tells_the_buyers_who_took_part():
    raffle = make_raffle(size=100, title="TV")
    early = services.create_early_draw(
        raffle,
        title="Paid by Friday",
        cutoff=timezone.now() + timedelta(days=1),
        prize_names=["Dinner for two"],
    )
    ana, beto, late = (
        _contact("5215511110001"),
        _contact("5215511110002"),
        _contact("5215511110003"),
    )
    _paid(raffle.pk, 7, ana)
    before = {c.pk: len(texts(c)) for c in (ana, beto, late)}
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    _paid(raffle.pk, 9, late)  # paid after the cutoff: not in this draw
    before[late.pk] = len(texts(late))
    early.refresh_from_db()
    services.draw_early(early, external_value="4821")

    [won] = texts(ana)[before[ana.pk] :]
    assert "Paid by Friday" in won
    assert "TV" in won
    assert "07" in won
    assert "🎉" in won
    assert "main draw" in won
    assert "/draw/early/" in won  # where anyone checks it
    assert texts(beto)[before[beto.pk] :] == []  # no paid numbers
    assert texts(late)[before[late.pk] :] == []  # paid after the cutoff


def test_the_early_bird_result_is_sent_once():
    raffle = make_raffle(size=100, title="TV")
    early = services.create_early_draw(
        raffle, title="First week", cutoff=timezone.now() + timedelta(days=1)
    )
    ana = _contact("5215511110004")
    _paid(raffle.pk, 3, ana)
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    early.refresh_from_db()
    services.draw_early(early, external_value="1")
    count = len(texts(ana))
    early.refresh_from_db()
    services.draw_early(early, external_value="1")  # idempotent: no second notice
    assert len(texts(ana)) == count


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "sorteo anticipado “Semana 1”"), ("pt-br", "sorteio antecipado “Semana 1”")],
)
def test_the_early_bird_result_in_the_buyers_language(language: str, said: str) -> None:
    raffle = make_raffle(size=100, title="Moto")
    early = services.create_early_draw(
        raffle, title="Semana 1", cutoff=timezone.now() + timedelta(days=1)
    )
    ana = _contact("5215511110005")
    Contact.objects.filter(pk=ana.pk).update(language=language)
    _paid(raffle.pk, 3, ana)
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    early.refresh_from_db()
    services.draw_early(early, external_value="1")
    text = texts(ana)[-1]
    assert said in text
    assert "🎉" in text  # the only number in the draw wins
