"""Approvals from WhatsApp, end to end through the webhook and the fake Graph API: an on-duty
reviewer gets the proof with Approve / Reject; her tap confirms (the buyer gets the receipt)
or asks for the reason; a number that is not a registered reviewer sending the same button id
gets the buyer conversation and decides nothing; a portal decision first is reported."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from messaging import staff_approvals
from messaging.models import Contact
from messaging.testing.world import Phone, all_text
from portal.models import StaffRole
from raffles import services
from raffles.models import Order, OrderEvent, PaymentProof
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"proof" * 20
REVIEWER = "5491100000001"


@pytest.fixture
def buyer(post_webhook, fake_graph):
    return Phone(post_webhook, fake_graph, "5511987654321", "Maria Silva")


@pytest.fixture
def reviewer(post_webhook, fake_graph):
    user = get_user_model().objects.create_user("rita", password="x", is_staff=True)
    StaffRole.objects.create(user=user, role="reviewer")
    staff_approvals.register_number(user, "+54 9 11 0000-0001", on_duty=True)
    phone = Phone(post_webhook, fake_graph, REVIEWER, "Rita")
    phone.text("hello")  # opens her 24-hour window (and gets the buyer menu)
    Contact.objects.filter(wa_id=REVIEWER).update(language="en")  # her number says Spanish
    phone.inbox()
    return phone


def _order_with_proof(buyer: Phone, run: Any) -> Order:
    raffle = make_raffle(size=100, title="Rifa", ticket_price=Decimal("15.00"))
    buyer.text("hi")
    buyer.pick(f"raffle:{raffle.pk}")
    buyer.text("7")
    order = Order.objects.get()
    buyer.tap(f"confirm:{order.code}")
    run(
        services.attach_payment_proof,
        order,
        content=PNG,
        mime_type="image/png",
        filename="p.png",
    )
    buyer.inbox()
    return order


def test_a_reviewer_gets_the_proof_and_approves_it(buyer, reviewer, fake_graph, run_after_commit):
    order = _order_with_proof(buyer, run_after_commit)
    got = reviewer.inbox()
    [image] = [p for p in got if p["type"] == "image"]
    assert image["image"]["caption"] == order.code
    assert fake_graph.media_content(image["image"]["id"]) == PNG
    [ask] = [p for p in got if p["type"] == "interactive"]
    assert order.code in ask["interactive"]["body"]["text"]
    assert "15.00" in ask["interactive"]["body"]["text"]
    assert "Maria" in ask["interactive"]["body"]["text"]
    ids = [b["reply"]["id"] for b in ask["interactive"]["action"]["buttons"]]
    assert ids == [f"staff:approve:{order.code}", f"staff:reject:{order.code}"]

    answer = reviewer.tap(f"staff:approve:{order.code}", "Approve")
    assert "is confirmed" in all_text(answer)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.confirmed_by is not None
    assert order.confirmed_by.get_username() == "rita"
    event = OrderEvent.objects.filter(order=order, kind="paid").get()
    assert event.details.get("via") == "whatsapp"
    assert buyer.inbox()  # the buyer's receipt


def test_an_unregistered_number_tapping_approve_decides_nothing(
    buyer, reviewer, post_webhook, fake_graph, run_after_commit
):
    order = _order_with_proof(buyer, run_after_commit)
    stranger = Phone(post_webhook, fake_graph, "5491199999999", "Eve")
    answer = stranger.tap(f"staff:approve:{order.code}", "Approve")
    assert answer  # the buyer conversation answers
    assert "is confirmed" not in all_text(answer)
    order.refresh_from_db()
    assert order.status != Order.Status.PAID
    # The buyer's own phone cannot approve her order either.
    buyer.tap(f"staff:approve:{order.code}", "Approve")
    order.refresh_from_db()
    assert order.status != Order.Status.PAID


def test_a_reviewer_off_duty_or_without_the_role_gets_nothing_and_decides_nothing(
    buyer, reviewer, run_after_commit
):
    StaffRole.objects.filter(user__username="rita").update(role="seller")
    order = _order_with_proof(buyer, run_after_commit)
    assert not [p for p in reviewer.inbox() if p["type"] == "image"]
    reviewer.tap(f"staff:approve:{order.code}", "Approve")
    order.refresh_from_db()
    assert order.status != Order.Status.PAID


def test_a_reviewer_rejects_with_a_reason(buyer, reviewer, run_after_commit):
    order = _order_with_proof(buyer, run_after_commit)
    reviewer.inbox()
    asked = reviewer.tap(f"staff:reject:{order.code}", "Reject")
    assert "reason" in all_text(asked)
    done = reviewer.text("The amount is wrong")
    assert "is rejected" in all_text(done)
    proof = PaymentProof.objects.get(order=order)
    assert proof.review == PaymentProof.Review.REJECTED
    assert proof.rejection_reason == "The amount is wrong"
    event = OrderEvent.objects.filter(order=order, kind="payment_rejected").get()
    assert event.details.get("via") == "whatsapp"
    assert "The amount is wrong" in all_text(buyer.inbox())
    # The next text is the buyer conversation again.
    assert "is rejected" not in all_text(reviewer.text("hola"))


def test_the_portal_decided_first(buyer, reviewer, run_after_commit):
    order = _order_with_proof(buyer, run_after_commit)
    boss = get_user_model().objects.create_user("boss", password="x", is_staff=True)
    run_after_commit(services.confirm_paid, order, by=boss)
    answer = reviewer.tap(f"staff:approve:{order.code}", "Approve")
    assert "already confirmed by boss" in all_text(answer)
    assert order.code in all_text(answer)
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    answer = reviewer.tap(f"staff:reject:{order.code}", "Reject")
    assert "already confirmed by boss" in all_text(answer)


def test_the_reviewer_reads_her_own_language(buyer, reviewer, run_after_commit):
    Contact.objects.filter(wa_id=REVIEWER).update(language="es")
    order = _order_with_proof(buyer, run_after_commit)
    assert "Comprobante de pago" in all_text(reviewer.inbox())
    answer = reviewer.tap(f"staff:approve:{order.code}", "Aprobar")
    assert "está confirmado" in all_text(answer)
