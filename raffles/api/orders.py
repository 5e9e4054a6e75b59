"""/api/orders/: orders, payment review (confirm, reject) and cancellation."""

from django.db.models import F, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from raffles import services
from raffles.api.common import Pagination, actor, errors, id_path, read, write
from raffles.api.schemas import (
    ConfirmPaymentIn,
    OrderDetailOut,
    OrderFilters,
    OrderOut,
    PendingFilters,
    RejectPaymentIn,
)
from raffles.models import Order, PaymentProof

router = Router(tags=["orders"])

OrderId = id_path("Order id.")
# Served with their own type; anything else is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
PROOF_FILE_RESPONSE = {
    "description": "The proof file (JPEG, PNG, WebP, PDF or, for anything else, a download).",
    "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in (*sorted(INLINE_TYPES), "application/octet-stream")
    },
}


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("raffle", "buyer").prefetch_related("order_tickets")


def _order(order_id: int) -> Order:
    order = (
        _orders()
        .select_related("confirmed_by")
        .prefetch_related(
            Prefetch("proofs", PaymentProof.objects.select_related("duplicate_of__order")),
            "events",
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404(f"Order {order_id} does not exist")
    return order


@router.get("/", response=read(list[OrderOut]))
@paginate(Pagination)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> QuerySet[Order]:
    """Orders, newest first unless `ordering` says otherwise."""
    orders = _orders()
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.raffle:
        orders = orders.filter(raffle_id=filters.raffle)
    if filters.buyer:
        orders = orders.filter(buyer_id=filters.buyer)
    if filters.code:
        orders = orders.filter(code=filters.code.strip().upper())
    if filters.created_after:
        orders = orders.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        orders = orders.filter(created_at__lt=filters.created_before)
    tiebreak = "-id" if filters.ordering.startswith("-") else "id"
    return orders.order_by(filters.ordering, tiebreak)


# Declared before /{order_id}/ so that "pending-payment" is not read as an id.
@router.get("/pending-payment/", response=read(list[OrderOut]))
@paginate(Pagination)
def list_pending_payment(request: HttpRequest, filters: Query[PendingFilters]) -> QuerySet[Order]:
    """Orders waiting for payment: those whose proof waits for review first (oldest proof
    first), then the rest by age."""
    orders = _orders().filter(status=Order.Status.PENDING_PAYMENT)
    if filters.raffle:
        orders = orders.filter(raffle_id=filters.raffle)
    if filters.with_proof is not None:
        orders = orders.filter(proof_received_at__isnull=not filters.with_proof)
    return orders.order_by(F("proof_received_at").asc(nulls_last=True), "created_at", "id")


@router.get("/{order_id}/", response=read(OrderDetailOut, 404))
def get_order(request: HttpRequest, order_id: int = OrderId) -> Order:
    """One order with its numbers, payment proofs and timeline."""
    return _order(order_id)


@router.post("/{order_id}/confirm-payment/", response=write(OrderDetailOut, 404, 409))
def confirm_payment(
    request: HttpRequest, order_id: int = OrderId, payload: ConfirmPaymentIn | None = None
) -> Order:
    """The payment arrived: the order's numbers become SOLD (409 when the order is not
    waiting for payment, or its hold expired and its numbers went to someone else)."""
    media_id = payload.payment_proof_media_id if payload else None
    services.confirm_paid(_order(order_id), media_id or None, by=actor(request))
    return _order(order_id)


@router.post("/{order_id}/reject-payment/", response=write(OrderDetailOut, 404, 409))
def reject_payment(
    request: HttpRequest, payload: RejectPaymentIn, order_id: int = OrderId
) -> Order:
    """The proof does not show a payment: the buyer is told why and may send another."""
    services.reject_payment(_order(order_id), payload.reason, by=actor(request))
    return _order(order_id)


@router.post("/{order_id}/cancel/", response=write(OrderDetailOut, 404, 409))
def cancel_order(request: HttpRequest, order_id: int = OrderId) -> Order:
    """Cancel an order waiting for payment and free its numbers."""
    services.cancel_order(_order(order_id), by=actor(request))
    return _order(order_id)


@router.get(
    "/{order_id}/proofs/{proof_id}/file",
    response=errors(401, 404, 422, 429),
    openapi_extra={"responses": {"200": PROOF_FILE_RESPONSE}},
)
def get_proof_file(
    request: HttpRequest, order_id: int = OrderId, proof_id: int = id_path("Proof id.")
) -> FileResponse:
    """The payment proof as the buyer sent it."""
    proof = PaymentProof.objects.filter(pk=proof_id, order_id=order_id).first()
    if proof is None:
        raise Http404(f"Order {order_id} has no proof {proof_id}")
    try:
        handle = proof.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(f"The file of proof {proof_id} is missing") from None
    inline = proof.mime_type in INLINE_TYPES
    return FileResponse(
        handle,
        content_type=proof.mime_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=proof.file.name.rsplit("/", 1)[-1],
    )
