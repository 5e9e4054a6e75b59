"""Two buyers race for the same number through the bot, on a real database with real threads:
one gets it, the other is told which number was taken and offered free ones nearby."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from messaging.channel.signature import sign_body
from messaging.testing.world import Phone, all_ids, all_text
from messaging.tests.conftest import WEBHOOK_URL
from raffles.models import Order, TicketNumber
from raffles.tests.factories import make_raffle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def threaded_post(body: dict) -> object:
    """A signed POST from this thread, with its own database connection; after-commit tasks
    run for real (the test is transactional), synchronously (Q_CLUSTER sync)."""
    raw = json.dumps(body).encode()
    try:
        return Client().post(
            WEBHOOK_URL,
            data=raw,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign_body(raw),
        )
    finally:
        connection.close()


@pytest.mark.parametrize("round_", range(3))
def test_two_buyers_race_for_the_same_number(fake_graph, round_):
    raffle = make_raffle(size=100, title="Race")
    ana = Phone(threaded_post, fake_graph, f"52155100000{round_}", "Ana")
    beto = Phone(threaded_post, fake_graph, f"52155200000{round_}", "Beto")
    for phone in (ana, beto):
        phone.text("hi")
        phone.pick(f"raffle:{raffle.pk}")

    barrier = threading.Barrier(2)
    answers: dict[str, list] = {}
    failures: list[BaseException] = []

    def race(phone: Phone) -> None:
        try:
            barrier.wait(timeout=10)
            answers[phone.wa_id] = phone.text("42")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=race, args=(p,)) for p in (ana, beto)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures

    ticket = TicketNumber.objects.get(raffle=raffle, number=42)
    winner_order = Order.objects.get(pk=ticket.reserved_by_order_id)
    assert Order.objects.filter(raffle=raffle).count() == 1
    winner = ana if winner_order.buyer.phone == "+" + ana.wa_id else beto
    loser = beto if winner is ana else ana

    assert "Reserved for you" in all_text(answers[winner.wa_id])
    lost = all_text(answers[loser.wa_id])
    assert "Sorry, 42 was just taken by someone else" in lost
    assert "Free numbers close to them: 41, 43" in lost
    ids = all_ids(answers[loser.wa_id])
    assert any(i.startswith(f"take:{raffle.pk}:") for i in ids)  # one tap to take a free one

    # The loser takes the offered alternative.
    swap = next(i for i in ids if i.startswith(f"take:{raffle.pk}:"))
    assert "Reserved for you" in all_text(loser.tap(swap))
    assert Order.objects.filter(raffle=raffle, status=Order.Status.PENDING_PAYMENT).count() == 2
