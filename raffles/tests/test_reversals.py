"""Refunds and reversals: cancel a paid order (numbers released or kept out of sale), undo a
confirmation within PAYMENT_UNDO_MINUTES, record a refund, and orders excluded from a draw
leave "pending" with a reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from raffles import services
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput, InvalidOrderState
from raffles.models import Order, OrderEvent, PaymentProof, Refund, TicketNumber
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG proof"


def paid(raffle, buyer, numbers=(1, 2)) -> Order:
    order = services.reserve_specific(raffle.pk, list(numbers), buyer)
    services.attach_payment_proof(order, content=PNG + bytes(numbers), mime_type="image/png")
    return services.confirm_paid(order)


def statuses(raffle, numbers) -> list[str]:
    tickets = TicketNumber.objects.filter(raffle=raffle, number__in=numbers).order_by("number")
    return list(tickets.values_list("status", flat=True))


def test_cancel_a_paid_order_releasing_its_numbers(raffle, buyer):
    order = paid(raffle, buyer)
    with pytest.raises(InvalidInput):
        services.cancel_paid_order(order, reason=" ", release_numbers=True)
    order = services.cancel_paid_order(order, reason="Paid twice", release_numbers=True)
    assert order.status == Order.Status.CANCELLED
    assert order.closed_reason == "Paid twice"
    assert statuses(raffle, [1, 2]) == ["AVAILABLE", "AVAILABLE"]
    event = OrderEvent.objects.filter(order=order).last()
    assert event.kind == EventKind.CANCELLED
    assert event.details["reason"] == "Paid twice"
    assert event.details["was_paid"] is True


def test_cancel_a_paid_order_keeping_its_numbers_out_of_sale(raffle, buyer, other_buyer):
    order = paid(raffle, buyer)
    services.cancel_paid_order(order, reason="Fraud check", release_numbers=False)
    assert statuses(raffle, [1, 2]) == ["SOLD", "SOLD"]  # blocked: nobody can buy them
    with pytest.raises(Exception):  # noqa: B017, PT011 - the reservation refuses, whatever why
        services.reserve_specific(raffle.pk, [1], other_buyer)
    assert 1 not in services.draws.paid_numbers(raffle)  # and they are not in the draw


def test_a_live_order_is_not_a_paid_cancellation(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [5], buyer)
    with pytest.raises(InvalidOrderState):
        services.cancel_paid_order(order, reason="x", release_numbers=True)


def test_undo_a_confirmation_within_the_window(raffle, buyer, settings):
    settings.PAYMENT_UNDO_MINUTES = 10
    order = paid(raffle, buyer)
    order = services.undo_confirmation(order)
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.paid_at is None
    assert order.confirmed_by is None
    assert statuses(raffle, [1, 2]) == ["RESERVED", "RESERVED"]
    assert order.proofs.get().review == PaymentProof.Review.PENDING  # back in the queue
    assert order.is_holding(timezone.now())
    assert OrderEvent.objects.filter(order=order, kind=EventKind.PAYMENT_UNDONE).exists()
    services.confirm_paid(order)  # and it can be confirmed again


def test_undo_is_refused_after_the_window(raffle, buyer, settings):
    settings.PAYMENT_UNDO_MINUTES = 10
    order = paid(raffle, buyer)
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(minutes=11))
    with pytest.raises(InvalidOrderState):
        services.undo_confirmation(order)


def test_record_refunds_up_to_what_was_paid(raffle, buyer, staff_user):
    order = paid(raffle, buyer)  # 2 × 10.00
    refund = services.record_refund(
        order, amount=Decimal("5"), method="cash", note="half back", by=staff_user
    )
    assert (refund.amount, refund.method, refund.created_by) == (
        Decimal("5.00"),
        "cash",
        staff_user,
    )
    with pytest.raises(InvalidInput) as too_much:
        services.record_refund(order, amount=Decimal("15.01"), method="transfer")
    assert too_much.value.fields["field"] == "amount"
    with pytest.raises(InvalidInput):
        services.record_refund(order, amount=Decimal("1"), method="bitcoin")
    services.record_refund(order, amount=Decimal("15"), method="other")
    assert sum(r.amount for r in Refund.objects.filter(order=order)) == Decimal("20.00")
    assert OrderEvent.objects.filter(order=order, kind=EventKind.REFUNDED).count() == 2
    live = services.reserve_specific(raffle.pk, [9], buyer)
    with pytest.raises(InvalidOrderState):
        services.record_refund(live, amount=Decimal("1"), method="cash")


def test_orders_excluded_from_a_draw_are_cancelled_with_a_reason(buyer, other_buyer):
    raffle = make_raffle(size=10)
    paid(raffle, buyer, numbers=(1,))
    waiting = services.reserve_specific(raffle.pk, [2], other_buyer)
    services.close_raffle(raffle)
    services.freeze_entries(raffle, exclude_pending=True)
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.CANCELLED
    assert "draw" in waiting.closed_reason
    assert statuses(raffle, [2]) == ["AVAILABLE"]
    event = OrderEvent.objects.filter(order=waiting, kind=EventKind.CANCELLED).get()
    assert event.details["excluded_from_draw"] is True
