"""Payment links through the fake Mercado Pago server (real HTTP) and our real webhook
(a live server): checkout preferences, signed notifications, idempotency, late payments."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.utils import timezone

from raffles import services
from raffles.audit import EventKind
from raffles.models import (
    LinkPayment,
    Order,
    OrderEvent,
    PaymentNotification,
    PaymentSetup,
    TicketNumber,
)
from raffles.payments.mercadopago import MercadoPago, manifest, sign
from raffles.services.payment_links import process_waiting_notifications
from raffles.testing.fakemercadopago import FakeMercadoPago
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db(transaction=True)

Outcome = LinkPayment.Outcome


@pytest.fixture
def fake_mp(settings: Any, live_server: Any) -> Iterator[FakeMercadoPago]:
    fake = FakeMercadoPago(token="test-mp-token", secret="test-mp-secret").start()
    settings.MERCADOPAGO_BASE_URL = fake.base_url
    settings.MERCADOPAGO_ACCESS_TOKEN = fake.token
    settings.MERCADOPAGO_WEBHOOK_SECRET = fake.secret
    settings.PUBLIC_BASE_URL = live_server.url
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def raffle() -> Any:
    raffle = make_raffle(size=20, title="Bike", ticket_price=Decimal("12.50"), currency="BRL")
    PaymentSetup.objects.create(raffle=raffle, methods=["transfer", "payment_link"])
    return raffle


def hold(raffle: Any, numbers: list[int], phone: str = "+5511999990001") -> Order:
    buyer = services.get_or_create_buyer(phone=phone, name="Ana")
    return services.reserve_specific(raffle.pk, numbers, buyer)


def events(order: Order, kind: str) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order, kind=kind))


def test_checkout_preference_has_mercado_pagos_shape(fake_mp, raffle):
    order = hold(raffle, [3, 4])
    url = services.checkout_link(order)
    assert url.startswith(fake_mp.base_url + "/checkout/v1/redirect?pref_id=")
    [pref] = fake_mp.preferences
    assert pref["external_reference"] == order.code
    assert pref["items"] == [
        {
            "id": order.code,
            "title": f"Bike ({order.code})",
            "quantity": 1,
            "unit_price": 25.0,
            "currency_id": "BRL",
        }
    ]
    assert pref["notification_url"] == fake_mp_webhook(fake_mp)
    assert pref["expires"] is True
    assert pref["expiration_date_to"].startswith(order.expires_at.isoformat()[:19])
    # Made once per order.
    assert services.checkout_link(order) == url
    assert len(fake_mp.preferences) == 1


def fake_mp_webhook(fake_mp: FakeMercadoPago) -> str:
    from django.conf import settings

    return f"{settings.PUBLIC_BASE_URL}/payments/mercadopago/webhook"


def test_no_link_when_the_raffle_takes_none(fake_mp):
    raffle = make_raffle(size=10)
    assert services.checkout_link(hold(raffle, [1])) == ""
    assert fake_mp.preferences == []


def test_approved_payment_confirms_the_order(fake_mp, raffle):
    order = hold(raffle, [5])
    services.checkout_link(order)
    payment_id = fake_mp.pay(reference=order.code)
    assert fake_mp.deliveries == [200]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    [record] = LinkPayment.objects.all()
    assert (record.payment_id, record.status, record.outcome) == (
        payment_id,
        "approved",
        "confirmed",
    )
    assert PaymentNotification.objects.get().processed_at is not None
    [paid] = events(order, EventKind.PAID)
    assert paid.actor_label == "mercadopago"


def test_repeated_notifications_act_once(fake_mp, raffle):
    order = hold(raffle, [6])
    services.checkout_link(order)
    payment_id = fake_mp.pay(reference=order.code, repeat=3)
    assert fake_mp.deliveries == [200, 200, 200]
    assert PaymentNotification.objects.count() == 3
    assert LinkPayment.objects.filter(payment_id=payment_id).count() == 1
    assert len(events(order, EventKind.PAID)) == 1
    # The very same request again (same x-request-id) is stored once.
    url, headers, body = fake_mp.notification(payment_id, request_id="same-request")
    first = requests.post(url, data=body, headers=headers, timeout=30)
    again = requests.post(url, data=body, headers=headers, timeout=30)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"received": True, "repeated": True}
    assert PaymentNotification.objects.count() == 4


def test_pending_then_approved(fake_mp, raffle):
    order = hold(raffle, [7])
    services.checkout_link(order)
    payment_id = fake_mp.pay(reference=order.code, status="in_process")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    fake_mp.set_status(payment_id, "approved")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert sorted(LinkPayment.objects.values_list("outcome", flat=True)) == [
        "confirmed",
        "waiting",
    ]


def test_rejected_changes_nothing(fake_mp, raffle):
    order = hold(raffle, [8])
    services.checkout_link(order)
    fake_mp.pay(reference=order.code, status="rejected")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert LinkPayment.objects.get().outcome == Outcome.REJECTED
    assert events(order, EventKind.PAYMENT_FLAGGED) == []


@pytest.mark.parametrize(
    ("amount", "currency"), [("24.99", None), ("25.00", "ARS"), ("250.00", None)]
)
def test_wrong_amount_or_currency_is_flagged_not_confirmed(fake_mp, raffle, amount, currency):
    order = hold(raffle, [9, 10])
    services.checkout_link(order)
    fake_mp.pay(reference=order.code, amount=amount, currency=currency)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert LinkPayment.objects.get().outcome == Outcome.FLAGGED
    [flag] = events(order, EventKind.PAYMENT_FLAGGED)
    assert "expected 25.00 BRL" in flag.details["reason"]
    assert LinkPayment.objects.get().flag == "wrong_amount"


def test_refund_after_approval_is_flagged_for_staff(fake_mp, raffle):
    order = hold(raffle, [11])
    services.checkout_link(order)
    payment_id = fake_mp.pay(reference=order.code)
    fake_mp.set_status(payment_id, "refunded", repeat=2)
    fake_mp.set_status(payment_id, "charged_back")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    flags = events(order, EventKind.PAYMENT_FLAGGED)
    assert [f.details["status"] for f in flags] == ["refunded", "charged_back"]
    assert [f.details["flag"] for f in flags] == ["refunded", "charged_back"]
    flagged = LinkPayment.objects.filter(outcome=Outcome.FLAGGED).order_by("pk")
    assert [p.flag for p in flagged] == ["refunded", "charged_back"]


def _expire(order: Order) -> None:
    past = timezone.now() - timedelta(minutes=1)
    Order.objects.filter(pk=order.pk).update(expires_at=past)
    TicketNumber.objects.filter(reserved_by_order=order).update(reserved_until=past)
    services.expire_reservations()
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED


def test_late_payment_takes_the_numbers_again_when_still_free(fake_mp, raffle):
    order = hold(raffle, [12])
    services.checkout_link(order)
    _expire(order)
    fake_mp.pay(reference=order.code)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert TicketNumber.objects.get(raffle=raffle, number=12).status == TicketNumber.Status.SOLD
    assert events(order, EventKind.PAID)[0].details["late"] is True


def test_late_payment_for_numbers_taken_meanwhile_is_flagged_for_refund(fake_mp, raffle):
    order = hold(raffle, [13])
    services.checkout_link(order)
    _expire(order)
    other = hold(raffle, [13], phone="+5511999990002")
    fake_mp.pay(reference=order.code)
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert TicketNumber.objects.get(raffle=raffle, number=13).reserved_by_order_id == other.pk
    assert LinkPayment.objects.get().outcome == Outcome.FLAGGED
    [flag] = events(order, EventKind.PAYMENT_FLAGGED)
    assert "refund" in flag.details["reason"]
    assert LinkPayment.objects.get().flag == "numbers_gone"


def test_a_second_payment_for_a_paid_order_is_flagged(fake_mp, raffle):
    order = hold(raffle, [14])
    services.checkout_link(order)
    fake_mp.pay(reference=order.code)
    fake_mp.pay(reference=order.code)
    assert [r.outcome for r in LinkPayment.objects.order_by("pk")] == ["confirmed", "flagged"]
    assert LinkPayment.objects.order_by("pk").last().flag == "already_paid"
    assert len(events(order, EventKind.PAYMENT_FLAGGED)) == 1


def test_bad_signatures_are_refused_and_nothing_is_stored(fake_mp, raffle):
    order = hold(raffle, [15])
    services.checkout_link(order)
    fake_mp.pay(reference=order.code, status="pending")
    before = PaymentNotification.objects.count()
    payment_id = LinkPayment.objects.get().payment_id
    url, headers, body = fake_mp.notification(payment_id, secret="not-the-secret")
    assert requests.post(url, data=body, headers=headers, timeout=30).status_code == 401
    url, headers, body = fake_mp.notification(payment_id)
    for broken in (
        {**headers, "x-signature": ""},
        {**headers, "x-signature": "garbage"},
        {**headers, "x-request-id": "another-request"},  # not what was signed
    ):
        assert requests.post(url, data=body, headers=broken, timeout=30).status_code == 401
    other_id = url.replace(f"data.id={payment_id}", "data.id=999")
    assert requests.post(other_id, data=body, headers=headers, timeout=30).status_code == 401
    assert PaymentNotification.objects.count() == before


def test_bad_input_is_400_never_500(fake_mp, raffle, live_server):
    secret = fake_mp.secret
    url = f"{live_server.url}/payments/mercadopago/webhook"
    headers = {"x-request-id": "r1", "x-signature": sign(secret, "", "r1", "1")}
    answer = requests.post(url, data=b"{not json", headers=headers, timeout=30)
    assert answer.status_code == 400
    assert "error" in answer.json()
    body = json.dumps({"type": "payment", "data": {}}).encode()
    answer = requests.post(url, data=body, headers=headers, timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"] == "a payment notification needs data.id"
    # Another topic, correctly signed: acknowledged and ignored.
    headers = {"x-request-id": "r2", "x-signature": sign(secret, "77", "r2", "1")}
    answer = requests.post(
        f"{url}?data.id=77&type=merchant_order", data=b"{}", headers=headers, timeout=30
    )
    assert answer.json() == {"ignored": True}
    assert requests.get(url, timeout=30).status_code == 405
    assert requests.post(url.replace("mercadopago", "nope"), timeout=30).status_code == 404


def test_a_notification_the_api_failed_on_is_stored_and_processed_later(fake_mp, raffle):
    order = hold(raffle, [16])
    services.checkout_link(order)
    fake_mp.fail_next(1)  # fetching the payment back fails once
    fake_mp.pay(reference=order.code)
    assert fake_mp.deliveries == [200]
    stored = PaymentNotification.objects.get()
    assert stored.processed_at is None
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert process_waiting_notifications(older_than=timedelta(0)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert process_waiting_notifications(older_than=timedelta(0)) == 0


def test_signature_manifest_follows_mercado_pago():
    assert manifest("ABC123", "req", "170") == "id:abc123;request-id:req;ts:170;"
    client = MercadoPago(access_token="t", webhook_secret="s", base_url="http://127.0.0.1:1")
    headers = {"X-Signature": sign("s", "123", "req", "170"), "X-Request-Id": "req"}
    assert client.verify_notification(headers, {"data.id": "123"}, b"")
    assert not client.verify_notification(headers, {"data.id": "124"}, b"")
    no_secret = MercadoPago(access_token="t", webhook_secret="", base_url="http://127.0.0.1:1")
    assert not no_secret.verify_notification(headers, {"data.id": "123"}, b"")


def test_a_payment_for_a_cancelled_order_is_flagged_for_refund(fake_mp, raffle):
    order = hold(raffle, [17])
    services.checkout_link(order)
    services.cancel_order(order)
    fake_mp.pay(reference=order.code)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    [flag] = events(order, EventKind.PAYMENT_FLAGGED)
    assert "refund" in flag.details["reason"]


def test_a_payment_for_no_known_order_is_kept_not_acted_on(fake_mp, raffle):
    order = hold(raffle, [18])
    services.checkout_link(order)
    Order.objects.filter(pk=order.pk).update(code="RENAMED")
    fake_mp.pay(reference=order.code)
    record = LinkPayment.objects.get()
    assert (record.order, record.outcome, record.flag) == (None, Outcome.FLAGGED, "no_order")


def test_simultaneous_repeats_confirm_once(fake_mp, raffle):
    """Mercado Pago's retries can overlap: four at once, from four threads."""

    order = hold(raffle, [19])
    services.checkout_link(order)
    payment_id = fake_mp.pay(reference=order.code, status="in_process")
    fake_mp.set_status(payment_id, "approved", repeat=0)  # changed, not notified yet
    start = threading.Barrier(4)
    answers: list[int] = []

    def deliver() -> None:
        url, headers, body = fake_mp.notification(payment_id)
        start.wait()
        answers.append(requests.post(url, data=body, headers=headers, timeout=60).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert LinkPayment.objects.filter(payment_id=payment_id, status="approved").count() == 1
    assert len(events(order, EventKind.PAID)) == 1


def test_the_fake_checkout_page_pays_the_preference(fake_mp, raffle):
    order = hold(raffle, [1])
    url = services.checkout_link(order)
    page = requests.get(url, timeout=30)
    assert page.status_code == 200
    assert "Approve" in page.text
    requests.post(url, data={"status": "approved"}, timeout=30)
    for _ in range(200):  # the notification goes from a background thread
        if fake_mp.deliveries:
            break
        threading.Event().wait(0.05)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_coupon_applied_after_the_link_was_made_gets_a_new_link_for_the_new_total(
    fake_mp, raffle
):
    """The checkout carries the amount it was made for: once a coupon lowers the order's
    total, the next link is a new checkout for the new total, and paying it confirms."""
    from raffles.services.pricing import apply_coupon, create_coupon

    order = hold(raffle, [6, 7])
    old_url = services.checkout_link(order)
    create_coupon(raffle=raffle, code="HALF", kind="percent", value="50")
    order = apply_coupon(order=order, code="half")
    assert order.total_amount == Decimal("12.50")

    new_url = services.checkout_link(order)
    assert new_url != old_url
    assert [p["items"][0]["unit_price"] for p in fake_mp.preferences] == [25.0, 12.5]
    assert services.checkout_link(order) == new_url  # made once per amount
    assert len(fake_mp.preferences) == 2

    fake_mp.pay(preference_id=fake_mp.preferences[-1]["id"])
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not LinkPayment.objects.exclude(outcome=Outcome.CONFIRMED).exists()
