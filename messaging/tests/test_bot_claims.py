"""Winners' claims in the conversation: told what to do and by when after the draw (inside
the window, or when they next write), "claim"/"reclamar"/"resgatar" or the button registers
the claim in their name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Contact, OutboundMessage
from messaging.testing.world import Phone, all_ids, all_text, body_of
from raffles import services
from raffles.models import ClaimStatus, OrderEvent, WinnerClaim
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    return make_raffle(size=10, title="TV", prize="A TV")


@pytest.fixture
def phone(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5215511112222", "Ana López")


def win(phone: Phone, raffle, run_after_commit, *, window: bool = True) -> WinnerClaim:
    """Ana buys every number, pays, and the raffle is drawn."""
    phone.text("hi")
    phone.text("random 5")
    phone.inbox()
    from raffles.models import Order

    order = Order.objects.get(buyer__phone="+" + phone.wa_id)
    run_after_commit(services.confirm_paid, order)
    run_after_commit(services.close_raffle, raffle)
    if not window:
        Contact.objects.filter(wa_id=phone.wa_id).update(
            last_inbound_at=timezone.now() - timedelta(days=2)
        )
    run_after_commit(services.draw_raffle, raffle, external_value="lottery 1", prizes=1)
    return WinnerClaim.objects.get(order=order)


def test_the_winner_is_told_how_and_by_when_then_claims_with_a_tap(phone, raffle, run_after_commit):
    claim = win(phone, raffle, run_after_commit)
    notice = phone.inbox()[-1]
    assert "You won *TV*" in body_of(notice)
    assert "reply *claim*" in body_of(notice)
    assert "claim" in all_ids([notice])
    claim.refresh_from_db()
    assert claim.notified_at is not None
    out = phone.tap("claim", "Claim my prize")
    assert "Done, Ana López! Your claim is registered" in all_text(out)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED
    assert claim.claimed_name == "Ana López"
    assert OrderEvent.objects.filter(kind="claim_registered", order=claim.order).exists()
    again = phone.text("claim")
    assert "Your claim for *TV* is registered" in all_text(again)


@pytest.mark.parametrize(
    ("language", "word", "said"),
    [("es", "reclamar", "¡Listo"), ("pt", "resgatar", "Pronto")],
)
def test_claim_words_in_spanish_and_portuguese(
    phone, raffle, run_after_commit, language, word, said
):
    claim = win(phone, raffle, run_after_commit)
    Contact.objects.filter(wa_id=phone.wa_id).update(language=language)
    assert said in all_text(phone.text(word))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED


def test_outside_the_window_without_template_she_is_told_when_she_writes(
    phone, raffle, run_after_commit, settings
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    claim = win(phone, raffle, run_after_commit, window=False)
    claim.refresh_from_db()
    assert claim.notified_at is None
    out = phone.text("hi")
    assert "You won *TV*" in all_text(out)
    claim.refresh_from_db()
    assert claim.notified_at is not None
    assert "You won *TV*" not in all_text(phone.text("hi"))  # told once


def test_a_claim_past_its_deadline_is_refused(phone, raffle, run_after_commit):
    claim = win(phone, raffle, run_after_commit)
    WinnerClaim.objects.filter(pk=claim.pk).update(deadline=timezone.now() - timedelta(days=1))
    out = phone.text("claim")
    assert "The time to claim the prize of *TV* ended" in all_text(out)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_claim_without_a_prize(phone, raffle):
    phone.text("hi")
    assert "You have no prize to claim" in all_text(phone.text("claim"))
    assert not OutboundMessage.objects.filter(kind="image").exists()
