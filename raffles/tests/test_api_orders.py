"""/api/orders/…: listing, filters, detail, payment review, cancellation, proof files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from raffles import services
from raffles.models import Order, OrderEvent, PaymentProof, TicketNumber
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
PDF = b"%PDF-1.4\n" + b"1" * 50


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def order(raffle, buyer):
    """Numbers 7 and 3, waiting for payment, with a proof (media id m-1) under review."""
    order = services.reserve_specific(raffle.pk, [7, 3], buyer)
    services.attach_payment_proof(
        order, content=PNG, mime_type="image/png", filename="pay.png", source_media_id="m-1"
    )
    return order


# --- List and filters -------------------------------------------------------------------
def test_list_orders(api, order):
    response = api.get("/api/orders/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["code"] == order.code
    assert item["status"] == "PENDING_PAYMENT"
    assert item["numbers"] == [3, 7]
    assert item["formatted_numbers"] == ["03", "07"]
    assert item["total_amount"] == "20.00"
    assert item["buyer"]["phone"] == order.buyer.phone
    assert item["raffle_id"] == order.raffle_id


def test_list_orders_filters(api, raffle, buyer, other_buyer):
    other_raffle = make_raffle(title="Other")
    a = services.reserve_specific(raffle.pk, [1], buyer)
    b = services.reserve_specific(raffle.pk, [2], other_buyer)
    services.confirm_paid(b)
    c = services.reserve_specific(other_raffle.pk, [1], buyer)
    services.cancel_order(c)
    Order.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=3))

    assert codes(api.get("/api/orders/?status=PENDING_PAYMENT")) == [a.code]
    assert codes(api.get("/api/orders/?status=PAID")) == [b.code]
    assert set(codes(api.get(f"/api/orders/?raffle={raffle.pk}"))) == {a.code, b.code}
    assert set(codes(api.get(f"/api/orders/?buyer={buyer.pk}"))) == {a.code, c.code}
    assert codes(api.get(f"/api/orders/?code={b.code.lower()}")) == [b.code]
    assert codes(api.get("/api/orders/?code=NOPE")) == []
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert set(codes(api.get("/api/orders/", {"created_after": since}))) == {b.code, c.code}
    assert codes(api.get("/api/orders/", {"created_before": since})) == [a.code]
    naive_day = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert a.code not in codes(api.get("/api/orders/", {"created_after": naive_day}))
    assert codes(api.get("/api/orders/?ordering=created_at"))[0] == a.code
    assert codes(api.get("/api/orders/?ordering=-created_at"))[-1] == a.code
    assert codes(
        api.get(f"/api/orders/?raffle={raffle.pk}&status=PAID&buyer={other_buyer.pk}")
    ) == [b.code]


@pytest.mark.parametrize(
    "query",
    [
        "status=pending",
        "raffle=abc",
        "raffle=0",
        "raffle=99999999999999999999999",
        "buyer=-3",
        "created_after=2024-02-30",
        "created_after=tomorrow",
        "created_before=0000-01-01T00:00:00Z",
        "ordering=buyer__phone",
        "code=" + "X" * 13,
    ],
)
def test_list_orders_bad_filters_are_422(api, query):
    response = api.get(f"/api/orders/?{query}")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_pending_payment_lists_orders_with_proof_first(api, raffle, buyer, other_buyer):
    waiting = services.reserve_specific(raffle.pk, [1], buyer)
    with_proof = services.reserve_specific(raffle.pk, [2], other_buyer)
    services.attach_payment_proof(with_proof, content=PDF, mime_type="application/pdf")
    paid = services.reserve_specific(raffle.pk, [3], BuyerFactory())
    services.confirm_paid(paid)

    assert codes(api.get("/api/orders/pending-payment/")) == [with_proof.code, waiting.code]
    assert codes(api.get("/api/orders/pending-payment/?with_proof=true")) == [with_proof.code]
    assert codes(api.get("/api/orders/pending-payment/?with_proof=false")) == [waiting.code]
    assert codes(api.get(f"/api/orders/pending-payment/?raffle={raffle.pk + 1}")) == []


# --- Detail -----------------------------------------------------------------------------
def test_order_detail(api, order):
    response = api.get(f"/api/orders/{order.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["numbers"] == [3, 7]
    assert body["formatted_numbers"] == ["03", "07"]
    assert body["raffle"] == {
        "id": order.raffle_id,
        "title": "Test raffle",
        "currency": "USD",
        "number_width": 2,
    }
    proof = PaymentProof.objects.get(order=order)
    assert body["proofs"] == [
        {
            "id": proof.pk,
            "mime_type": "image/png",
            "size": len(PNG),
            "sha256": proof.sha256,
            "received_at": body["proofs"][0]["received_at"],
            "source_media_id": "m-1",
            "review": "pending",
            "reviewed_at": None,
            "rejection_reason": "",
            "duplicate_of_order": None,
            "file_url": f"/api/orders/{order.pk}/proofs/{proof.pk}/file",
            "hints": None,
        }
    ]
    assert [e["kind"] for e in body["timeline"]] == ["reserved", "proof_received"]
    assert body["timeline"][0]["actor_type"] == "buyer"
    assert body["timeline"][0]["details"]["numbers"] == [3, 7]
    assert body["confirmed_by"] is None


def test_order_detail_flags_a_duplicate_proof(api, order, raffle, other_buyer):
    copy = services.reserve_specific(raffle.pk, [50], other_buyer)
    services.attach_payment_proof(copy, content=PNG, mime_type="image/png")

    body = api.get(f"/api/orders/{copy.pk}/").json()

    assert body["proofs"][0]["duplicate_of_order"] == order.code


def test_order_detail_shows_a_pdf_proofs_hints_beside_the_expected(api, raffle, other_buyer):
    from raffles.testing.pdf import text_pdf

    paid = services.reserve_specific(raffle.pk, [60], other_buyer)
    pdf = text_pdf(["Comprobante", "Monto: $ 12,00", "Fecha: 3 de diciembre de 2020"])
    services.attach_payment_proof(paid, content=pdf, mime_type="application/pdf")

    hints = api.get(f"/api/orders/{paid.pk}/").json()["proofs"][0]["hints"]

    assert hints["found"] == {"amounts": ["12.00"], "dates": ["2020-12-03"], "reference": None}
    assert hints["expected"]["amount"] == f"{paid.total_amount:.2f}"
    assert hints["expected"]["reference"] == paid.code
    assert (hints["readable"], hints["problem"]) == (True, "")
    assert hints["amount_differs"] is (paid.total_amount != 12)
    assert hints["reference_missing"] is True
    assert hints["date_before_order"] is True
    assert hints["amount_missing"] is False
    assert hints["mismatch"] is True
    schema = api.get("/api/openapi.json").json()["components"]["schemas"]
    assert set(schema["ProofHintsOut"]["properties"]) >= {"found", "expected", "mismatch"}


def test_missing_order_is_404(api):
    response = api.get("/api/orders/31337/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Order 31337 does not exist", "code": "not_found"}


# --- Payment review ---------------------------------------------------------------------
def test_confirm_payment(api, order):
    response = api.post(f"/api/orders/{order.pk}/confirm-payment/", {})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "PAID"
    assert body["paid_at"] is not None
    assert body["proofs"][0]["review"] == "confirmed"
    assert body["timeline"][-1]["kind"] == "paid"
    assert body["timeline"][-1]["actor_type"] == "api"
    assert body["timeline"][-1]["actor_label"] == "accounting"
    statuses = TicketNumber.objects.filter(reserved_by_order=order).values_list("status", flat=True)
    assert set(statuses) == {"SOLD"}


def test_confirm_payment_without_a_body(api, order):
    response = api.post(f"/api/orders/{order.pk}/confirm-payment/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "PAID"


def test_confirm_payment_of_one_media_id(api, order):
    services.attach_payment_proof(
        order, content=PDF, mime_type="application/pdf", source_media_id="m-2"
    )

    response = api.post(
        f"/api/orders/{order.pk}/confirm-payment/", {"payment_proof_media_id": "m-2"}
    )

    assert response.status_code == 200
    reviews = {p["source_media_id"]: p["review"] for p in response.json()["proofs"]}
    assert reviews == {"m-1": "pending", "m-2": "confirmed"}


def test_confirm_payment_twice_is_409(api, order):
    api.post(f"/api/orders/{order.pk}/confirm-payment/")

    response = api.post(f"/api/orders/{order.pk}/confirm-payment/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cannot confirm payment of an order that is paid",
        "code": "invalid_order_state",
        "action": "confirm payment of",
        "status": "paid",
    }


def test_late_confirmation_when_the_numbers_went_to_someone_else_is_409(
    api, raffle, buyer, other_buyer
):
    late = services.reserve_specific(raffle.pk, [4, 5], buyer)
    past = late.expires_at + timedelta(minutes=1)
    services.expire_reservations(past)
    services.reserve_specific(raffle.pk, [5], other_buyer)

    response = api.post(f"/api/orders/{late.pk}/confirm-payment/")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "numbers_no_longer_available"
    assert body["numbers"] == [5]
    assert Order.objects.get(pk=late.pk).status == Order.Status.EXPIRED


def test_confirm_payment_with_unknown_fields_is_422(api, order):
    response = api.post(f"/api/orders/{order.pk}/confirm-payment/", {"amount": 10})

    assert response.status_code == 422
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_reject_payment(api, order):
    response = api.post(
        f"/api/orders/{order.pk}/reject-payment/", {"reason": "The amount is wrong"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "PENDING_PAYMENT"
    assert body["proofs"][0]["review"] == "rejected"
    assert body["proofs"][0]["rejection_reason"] == "The amount is wrong"
    assert body["proof_received_at"] is None
    event = OrderEvent.objects.get(order=order, kind="payment_rejected")
    assert (event.actor_type, event.actor_label) == ("api", "accounting")


@pytest.mark.parametrize(
    ("payload", "status"),
    # A blank reason breaks the document's pattern (a character that is not white space).
    [({}, 422), ({"reason": ""}, 422), ({"reason": "x" * 501}, 422), ({"reason": "   "}, 422)],
)
def test_reject_payment_needs_a_reason(api, order, payload, status):
    response = api.post(f"/api/orders/{order.pk}/reject-payment/", payload)

    assert response.status_code == status
    assert response.json()["code"] == "invalid"


def test_reject_payment_without_a_proof_is_409(api, raffle, buyer):
    order = services.reserve_specific(raffle.pk, [1], buyer)

    response = api.post(f"/api/orders/{order.pk}/reject-payment/", {"reason": "No proof"})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_order_state"


def test_cancel_order_frees_its_numbers(api, order):
    response = api.post(f"/api/orders/{order.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    assert not TicketNumber.objects.filter(reserved_by_order=order).exists()
    assert response.json()["timeline"][-1]["kind"] == "cancelled"


def test_cancel_a_paid_order_is_409(api, order):
    services.confirm_paid(order)

    response = api.post(f"/api/orders/{order.pk}/cancel/")

    assert response.status_code == 409
    assert response.json()["status"] == "paid"


@pytest.mark.parametrize("action", ["confirm-payment", "cancel"])
def test_actions_on_a_missing_order_are_404(api, action):
    assert api.post(f"/api/orders/4040/{action}/").status_code == 404


def test_reject_on_a_missing_order_is_404(api):
    assert api.post("/api/orders/4040/reject-payment/", {"reason": "x"}).status_code == 404


# --- Proof files ------------------------------------------------------------------------
def test_proof_file(api, order):
    proof = PaymentProof.objects.get(order=order)

    response = api.get(f"/api/orders/{order.pk}/proofs/{proof.pk}/file")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG


def test_proof_file_of_an_unusual_type_is_a_download(api, raffle, buyer):
    order = services.reserve_specific(raffle.pk, [9], buyer)
    proof = services.attach_payment_proof(order, content=b"<svg/>", mime_type="image/svg+xml")

    response = api.get(f"/api/orders/{order.pk}/proofs/{proof.pk}/file")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"<svg/>"


def test_proof_of_another_order_is_404(api, order, raffle, other_buyer):
    other = services.reserve_specific(raffle.pk, [60], other_buyer)
    proof = PaymentProof.objects.get(order=order)

    response = api.get(f"/api/orders/{other.pk}/proofs/{proof.pk}/file")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_proof_whose_file_is_gone_is_404(api, order):
    proof = PaymentProof.objects.get(order=order)
    proof.file.storage.delete(proof.file.name)

    response = api.get(f"/api/orders/{order.pk}/proofs/{proof.pk}/file")

    assert response.status_code == 404


def test_proof_file_needs_credentials(anon_api, order):
    proof = PaymentProof.objects.get(order=order)

    response = anon_api.get(f"/api/orders/{order.pk}/proofs/{proof.pk}/file")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_read_only_key_reads_orders_but_cannot_confirm(ro_api, order):
    assert ro_api.get(f"/api/orders/{order.pk}/").status_code == 200

    response = ro_api.post(f"/api/orders/{order.pk}/confirm-payment/")

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_key"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


# --- Refunds and reversals ----------------------------------------------------------------
def test_cancel_paid_undo_and_refund_through_the_api(api, raffle, buyer):
    order = services.reserve_specific(raffle.pk, [4, 5], buyer)
    services.confirm_paid(order)
    undone = api.post(f"/api/orders/{order.pk}/undo-confirmation/")
    assert undone.status_code == 200, undone.content
    assert undone.json()["status"] == "PENDING_PAYMENT"
    assert api.post(f"/api/orders/{order.pk}/undo-confirmation/").status_code == 409
    api.post(f"/api/orders/{order.pk}/confirm-payment/")

    refused = api.post(f"/api/orders/{order.pk}/refunds/", {"amount": "25", "method": "cash"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "amount"
    refunded = api.post(
        f"/api/orders/{order.pk}/refunds/", {"amount": "20", "method": "transfer", "note": "ok"}
    )
    assert refunded.status_code == 201
    assert refunded.json()["refunds"][0]["amount"] == "20.00"

    cancelled = api.post(
        f"/api/orders/{order.pk}/cancel-paid/", {"reason": "Refunded", "release_numbers": True}
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["closed_reason"] == "Refunded"
    again = {"reason": "x", "release_numbers": False}
    assert api.post(f"/api/orders/{order.pk}/cancel-paid/", again).status_code == 409
