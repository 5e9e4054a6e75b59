"""Refunds and reversals from the portal: the order page cancels a paid order (with a reason,
numbers released or kept), undoes a confirmation and records refunds; the review queue's
confirmation shows an undo toast."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import Order, PaymentProof, Refund, TicketNumber
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cf00000301010018dd8db40000000049454e44ae426082"
)


def _with_proof(raffle: Any, numbers: list[int], extra: bytes = b"") -> Order:
    order = services.reserve_specific(raffle.pk, numbers, BuyerFactory())
    services.attach_payment_proof(order, content=PNG + extra, mime_type="image/png")
    return order


def test_the_review_queue_confirmation_can_be_undone_from_its_toast(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = _with_proof(raffle, [1, 2])
    proof = order.proofs.get()
    done = unicorn_call(
        staff_client, "review-queue", "confirm", {"proof_id": proof.pk}, component_id="q"
    )
    assert 'data-testid="undo"' in done.dom
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    undone = unicorn_call(staff_client, "review-queue", "undo", done.data, component_id="q")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert undone.data["proof_id"] == proof.pk  # back on screen, to decide again
    assert "undone" in undone.data["notice"]
    assert 'data-testid="undo"' not in undone.dom
    assert PaymentProof.objects.get(pk=proof.pk).review == PaymentProof.Review.PENDING


def test_undo_cancel_and_refund_on_the_order_page(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = services.confirm_paid(_with_proof(raffle, [7, 8]))
    data = {"order_id": order.pk}
    page = unicorn_call(staff_client, "order-detail", "refresh", data, component_id="o")
    assert 'data-testid="order-undo"' in page.dom
    assert 'data-testid="order-cancel-paid"' in page.dom
    assert 'data-testid="order-refund"' in page.dom

    undone = unicorn_call(staff_client, "order-detail", "undo", data, component_id="o")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert "undone" in undone.data["notice"]
    services.confirm_paid(order)

    asked = unicorn_call(staff_client, "order-detail", "ask('cancel_paid')", data, component_id="o")
    assert 'data-testid="order-cancel-paid-confirm"' in asked.dom
    empty = unicorn_call(staff_client, "order-detail", "cancel_paid", asked.data, component_id="o")
    assert "reason" in empty.data["field_errors"]
    cancelled = unicorn_call(
        staff_client,
        "order-detail",
        "cancel_paid",
        empty.data,
        sync={"cancel_reason": "Paid twice", "release_numbers": False},
        component_id="o",
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.closed_reason == "Paid twice"
    assert "Paid twice" in cancelled.dom
    kept = TicketNumber.objects.filter(raffle=raffle, number__in=[7, 8])
    assert set(kept.values_list("status", flat=True)) == {"SOLD"}

    too_much = unicorn_call(
        staff_client,
        "order-detail",
        "refund",
        cancelled.data,
        sync={"refund_amount": "21", "refund_method": "cash"},
        component_id="o",
    )
    assert "amount" in too_much.data["field_errors"]
    refunded = unicorn_call(
        staff_client,
        "order-detail",
        "refund",
        too_much.data,
        sync={"refund_amount": "20", "refund_method": "transfer", "refund_note": "bank"},
        component_id="o",
    )
    assert Refund.objects.get(order=order).amount == Decimal("20.00")
    assert 'data-testid="refunds"' in refunded.dom
    assert 'data-testid="order-refund"' not in refunded.dom  # nothing left to give back
