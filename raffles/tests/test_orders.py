from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from raffles import services
from raffles.exceptions import InvalidInput, InvalidOrderState, NumbersNoLongerAvailable
from raffles.models import Order, OrderEvent, PaymentProof, TicketNumber

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("ana", password="x", is_staff=True)


def test_proof_makes_hold_open_ended(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    proof = services.attach_payment_proof(
        order, content=PNG, mime_type="image/png", source_media_id="m1"
    )
    assert proof.size == len(PNG)
    assert len(proof.sha256) == 64
    assert proof.file.name.startswith(f"proofs/{raffle.pk}/{order.code}/")
    assert not TicketNumber.objects.filter(reserved_by_order=order, reserved_until__isnull=False)
    assert services.expire_reservations(order.expires_at + timedelta(hours=1)) == 0
    # idempotent per media id
    again = services.attach_payment_proof(
        order, content=PNG, mime_type="image/png", source_media_id="m1"
    )
    assert again.pk == proof.pk


def test_same_file_on_another_order_is_flagged(raffle, buyer, other_buyer):
    a = services.reserve_specific(raffle.pk, [1], buyer)
    b = services.reserve_specific(raffle.pk, [2], other_buyer)
    first = services.attach_payment_proof(a, content=PNG, mime_type="image/png")
    second = services.attach_payment_proof(b, content=PNG, mime_type="image/png")
    assert second.duplicate_of == first
    assert not first.is_duplicate


def test_confirm_paid(raffle, buyer, staff):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    services.attach_payment_proof(order, content=PNG, mime_type="image/png", source_media_id="m")
    order = services.confirm_paid(order, "m", by=staff)
    assert order.status == Order.Status.PAID
    assert order.confirmed_by == staff
    assert set(TicketNumber.objects.filter(number__in=[1, 2]).values_list("status", flat=True)) == {
        "SOLD"
    }
    proof = PaymentProof.objects.get(order=order)
    assert proof.review == "confirmed"
    assert proof.reviewed_by == staff
    event = OrderEvent.objects.get(order=order, kind="paid")
    assert event.actor_type == "staff"
    assert event.actor_user == staff
    with pytest.raises(InvalidOrderState):
        services.confirm_paid(order, by=staff)


def test_late_payment_confirms_if_numbers_still_free(raffle, buyer, staff):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    services.expire_reservations(order.expires_at + timedelta(seconds=1))
    order = services.confirm_paid(order, by=staff)
    assert order.status == Order.Status.PAID


def test_late_payment_fails_cleanly_when_numbers_are_gone(raffle, buyer, other_buyer, staff):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    services.expire_reservations(order.expires_at + timedelta(seconds=1))
    services.reserve_specific(raffle.pk, [2], other_buyer)
    with pytest.raises(NumbersNoLongerAvailable) as err:
        services.confirm_paid(order, by=staff)
    assert err.value.numbers == [2]
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert TicketNumber.objects.get(raffle=raffle, number=1).status == "AVAILABLE"


def test_reject_gives_a_fresh_hold(raffle, buyer, staff):
    order = services.reserve_specific(raffle.pk, [1], buyer)
    services.attach_payment_proof(order, content=PNG, mime_type="image/png")
    with pytest.raises(InvalidInput):
        services.reject_payment(order, "  ", by=staff)
    order = services.reject_payment(order, "Amount does not match", by=staff)
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.proof_received_at is None
    assert order.expires_at > timezone.now()
    assert PaymentProof.objects.get(order=order).rejection_reason == "Amount does not match"
    with pytest.raises(InvalidOrderState):
        services.reject_payment(order, "again", by=staff)


def test_cancel_releases(raffle, buyer):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    order = services.cancel_order(order, by=buyer)
    assert order.status == Order.Status.CANCELLED
    assert not TicketNumber.objects.filter(reserved_by_order=order).exists()
    assert order.numbers() == [1, 2]  # history kept
    with pytest.raises(InvalidOrderState):
        services.cancel_order(order)


# The order is read and locked, its numbers sold, its proof and event written; the
# order_paid receivers are counted too.
CONFIRM_QUERIES = 10


def test_confirm_paid_query_count(raffle, buyer, staff, django_assert_num_queries):
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    with django_assert_num_queries(CONFIRM_QUERIES):
        services.confirm_paid(order, "m", by=staff)
