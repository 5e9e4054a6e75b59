"""Payment review, orders, timeline, exports and proof files."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.tests.conftest import unicorn_call
from raffles import services
from raffles.models import Order, PaymentProof, TicketNumber
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cf00000301010018dd8db40000000049454e44ae426082"
)


def _order_with_proof(raffle: Any, numbers: list[int], content: bytes = PNG, **buyer: Any) -> Order:
    order = services.reserve_specific(raffle.pk, numbers, BuyerFactory(**buyer))
    services.attach_payment_proof(order, content=content, mime_type="image/png")
    return order


def test_queue_shows_oldest_first_and_confirm_loads_the_next(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    first = _order_with_proof(raffle, [1, 2], name="First Buyer")
    second = _order_with_proof(raffle, [3], content=PNG + b"x", name="Second Buyer")
    page = staff_client.get(reverse("portal:review")).content.decode()
    assert first.code in page
    assert "First Buyer" in page
    assert "01, 02" in page  # the order's numbers, zero-padded
    assert 'data-shortcut="c"' in page
    assert 'data-shortcut="r"' in page

    proof = first.proofs.get()
    result = unicorn_call(staff_client, "review-queue", "confirm", {"proof_id": proof.pk})
    assert f"Order {first.code} confirmed" in result.data["notice"]
    assert result.data["proof_id"] == second.proofs.get().pk
    first.refresh_from_db()
    assert first.status == Order.Status.PAID
    assert first.confirmed_by.username == "staff"
    assert TicketNumber.objects.filter(raffle=raffle, number__in=[1, 2], status="SOLD").count() == 2


def test_reject_needs_a_reason_shown_next_to_the_field(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = _order_with_proof(raffle, [5])
    proof = order.proofs.get()
    result = unicorn_call(staff_client, "review-queue", "reject", {"proof_id": proof.pk})
    assert "Say why" in result.data["field_errors"]["reason"]
    assert 'class="field invalid"' in result.dom
    result = unicorn_call(
        staff_client,
        "review-queue",
        "reject",
        {"proof_id": proof.pk},
        sync={"reason": "Amount does not match"},
    )
    assert "rejected" in result.data["notice"]
    proof.refresh_from_db()
    assert proof.review == PaymentProof.Review.REJECTED
    assert proof.rejection_reason == "Amount does not match"
    assert 'data-testid="queue-empty"' in result.dom


def test_service_errors_show_inline(staff_client: Client) -> None:
    """A late payment whose numbers went to someone else: NumbersNoLongerAvailable."""
    raffle = make_raffle(size=100)
    late = services.reserve_specific(raffle.pk, [9], BuyerFactory())
    Order.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    TicketNumber.objects.filter(reserved_by_order=late).update(
        reserved_until=timezone.now() - timedelta(minutes=1)
    )
    services.expire_reservations()
    services.attach_payment_proof(late, content=PNG, mime_type="image/png")
    services.reserve_specific(raffle.pk, [9], BuyerFactory())
    proof = late.proofs.get()
    result = unicorn_call(staff_client, "review-queue", "confirm", {"proof_id": proof.pk})
    assert result.status_code == 200
    assert "now belong to another order: 9" in result.data["error"]
    assert 'data-testid="review-error"' in result.dom
    assert result.data["proof_id"] == proof.pk  # still there, to reject it


def test_duplicate_file_warning(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    first = _order_with_proof(raffle, [1])
    services.confirm_paid(first)
    second = _order_with_proof(raffle, [2])
    result = unicorn_call(
        staff_client, "review-queue", "refresh", {"proof_id": second.proofs.get().pk}
    )
    assert 'data-testid="duplicate-warning"' in result.dom
    assert first.code in result.dom


def test_proof_handled_elsewhere_moves_on(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = _order_with_proof(raffle, [1])
    proof = order.proofs.get()
    services.confirm_paid(order)
    result = unicorn_call(staff_client, "review-queue", "refresh", {"proof_id": proof.pk})
    assert "handled meanwhile" in result.data["notice"]
    assert result.data["proof_id"] == 0


def test_proof_file_is_private_and_typed(staff_client: Client, plain_client: Client) -> None:
    raffle = make_raffle(size=10)
    order = _order_with_proof(raffle, [1])
    proof = order.proofs.get()
    url = reverse("portal:proof-file", args=[proof.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PNG
    assert plain_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert not proof.file.url.startswith("/portal/")
    assert Client().get(proof.file.url).status_code in (302, 404)


def test_order_search(staff_client: Client) -> None:
    raffle = make_raffle(size=1000)
    ana = services.reserve_specific(
        raffle.pk, [123], BuyerFactory(name="Ana Torres", phone="+5215512340000")
    )
    luis = services.reserve_specific(
        raffle.pk, [456], BuyerFactory(name="Luis", phone="+5215599990000")
    )

    def shown(**data: Any) -> str:
        return unicorn_call(staff_client, "order-list", "refresh", data).dom

    assert ana.code in shown(q=ana.code)
    assert luis.code not in shown(q=ana.code)
    assert ana.code in shown(q="torres")
    assert luis.code not in shown(q="torres")
    assert luis.code in shown(q="9999 0000")
    assert ana.code not in shown(q="99990000")
    assert ana.code in shown(q="123")
    assert luis.code not in shown(q="123")
    assert luis.code in shown(q="456")
    services.cancel_order(luis)
    assert luis.code in shown(status="CANCELLED")
    assert ana.code not in shown(status="CANCELLED")
    other = make_raffle(size=10, title="Other")
    assert ana.code not in shown(raffle=str(other.pk))


def test_order_page_timeline_and_actions(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = _order_with_proof(raffle, [4, 5])
    page = staff_client.get(reverse("portal:order", args=[order.code.lower()]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Numbers reserved" in text
    assert "Payment proof received" in text

    data = {"order_id": order.pk}
    result = unicorn_call(staff_client, "order-detail", "reject", data, sync={"reason": "Blurry"})
    assert "rejected" in result.data["notice"]
    assert "Payment rejected" in result.dom
    assert "Blurry" in result.dom

    result = unicorn_call(staff_client, "order-detail", "confirm", data)
    assert "no proof" not in result.data["error"]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    result = unicorn_call(staff_client, "order-detail", "cancel", data)
    assert "Cannot cancel an order that is paid" in result.data["error"]


def test_cancel_from_order_page(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = services.reserve_specific(raffle.pk, [4], BuyerFactory())
    result = unicorn_call(staff_client, "order-detail", "ask_cancel", {"order_id": order.pk})
    assert 'data-testid="order-cancel-confirm"' in result.dom
    result = unicorn_call(staff_client, "order-detail", "cancel", {"order_id": order.pk})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert "Order cancelled" in result.dom
    assert order.events.filter(kind="cancelled", actor_user__username="staff").exists()


def test_unknown_order_is_a_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("portal:order", args=["NOPE99"])).status_code == 404


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_exports_stream_and_neutralise_formulas(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    sneaky = services.reserve_specific(
        raffle.pk, [7, 8], BuyerFactory(name='=HYPERLINK("http://x")')
    )
    services.confirm_paid(sneaky)
    services.reserve_specific(raffle.pk, [9], BuyerFactory(name="Plain"))

    response = staff_client.get(reverse("portal:export-orders") + f"?raffle={raffle.pk}")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:3] == ["code", "raffle", "status"]
    assert len(rows) == 3
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[sneaky.code][3] == '\'=HYPERLINK("http://x")'
    assert by_code[sneaky.code][6] == "07 08"

    rows = _csv(staff_client.get(reverse("portal:export-orders") + "?status=PAID"))
    assert [r[0] for r in rows[1:]] == [sneaky.code]

    rows = _csv(staff_client.get(reverse("portal:export-sold", args=[raffle.pk])))
    assert rows[0] == ["number", "order", "buyer_name", "buyer_phone", "paid_at"]
    assert [r[0] for r in rows[1:]] == ["07", "08"]
    assert rows[1][1] == sneaky.code


def test_dashboard(staff_client: Client) -> None:
    raffle = make_raffle(size=100, title="Dash raffle")
    paid = services.reserve_specific(raffle.pk, [1, 2], BuyerFactory())
    services.confirm_paid(paid)
    _order_with_proof(raffle, [3])
    page = staff_client.get(reverse("portal:dashboard")).content.decode()
    assert "Dash raffle" in page
    assert "<b>2</b><span>sold</span>" in page
    assert "<b>1</b><span>reserved</span>" in page
    assert "<b>97</b><span>available</span>" in page
    assert "USD 20.00" in page
    assert "USD 10.00" in page
    assert 'data-testid="waiting">1<' in page
    assert "Payment confirmed" in page
    assert "Payment proof received" in page
    assert "unicorn:poll-2000" in page  # the small poller; the dashboard itself never polls


def test_a_live_refresh_keeps_the_error_on_screen(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = _order_with_proof(raffle, [5])
    data = {"proof_id": order.proofs.get().pk}
    result = unicorn_call(staff_client, "review-queue", "reject", data, component_id="rq")
    assert "reason" in result.data["field_errors"]
    again = unicorn_call(staff_client, "review-queue", "refresh", result.data, component_id="rq")
    assert "reason" in again.data["field_errors"]


def test_a_buyer_without_phone_shows_and_exports(staff_client: Client) -> None:
    """A buyer known only by a WhatsApp username has no phone number: nothing says "None"."""
    raffle = make_raffle(size=100)
    buyer = services.create_buyer_without_phone(name="")
    order = services.reserve_specific(raffle.pk, [4], buyer)
    services.attach_payment_proof(order, content=PNG, mime_type="image/png")
    for url in (
        reverse("portal:order", args=[order.code.lower()]),
        reverse("portal:orders"),
        reverse("portal:review"),
    ):
        page = staff_client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "tel:None" not in text
        assert ">None<" not in text
    assert f"#{buyer.pk}" in staff_client.get(reverse("portal:review")).content.decode()
    rows = _csv(staff_client.get(reverse("portal:export-orders") + f"?raffle={raffle.pk}"))
    assert rows[1][4] == ""
    rows = _csv(staff_client.get(reverse("portal:export-sold", args=[raffle.pk])))
    assert rows[1:] == []  # not paid yet
