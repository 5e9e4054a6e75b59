"""/api/orders/: orders, payment review (confirm, reject), cancellation, refunds and
reversals."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from raffles import selectors, services
from raffles.api.common import Pagination, actor, errors, id_path, read, write
from raffles.api.schemas import (
    CancelPaidIn,
    ConfirmPaymentIn,
    OrderDetailOut,
    OrderFilters,
    OrderOut,
    PendingFilters,
    RefundIn,
    RejectPaymentIn,
)
from raffles.models import Order

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


# Who a channel's contact id stands for (`?contact=`): the app that owns contacts tells us,
# through `resolve_contacts_with` (config.api wires messaging's), so raffles never imports
# it. Without one, `?contact=` matches no order.
ContactResolver = Callable[[int], int | None]
_contact_resolver: list[ContactResolver] = []


def resolve_contacts_with(resolver: ContactResolver) -> None:
    """Use `resolver` (contact id -> buyer id, or None) for `?contact=`."""
    _contact_resolver[:] = [resolver]


def _buyer_ids(filters: OrderFilters) -> list[int] | None:
    """The buyers `?buyer=` and `?contact=` allow (None: any buyer)."""
    if filters.contact is None:
        return None if filters.buyer is None else [filters.buyer]
    found = _contact_resolver[0](filters.contact) if _contact_resolver else None
    if found is None or filters.buyer not in (None, found):
        return []
    return [found]


def _order(order_id: int) -> Order:
    order = selectors.order_detail(order_id)
    if order is None:
        raise Http404(f"Order {order_id} does not exist")
    return order


@router.get("/", response=read(list[OrderOut]))
@paginate(Pagination)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> QuerySet[Order]:
    """Orders, newest first unless `ordering` says otherwise. `?contact=` (a WhatsApp
    contact id) and `?buyer=` may be given together: they must name the same buyer."""
    return selectors.orders_listed(
        status=filters.status,
        raffle_id=filters.raffle,
        buyer_ids=_buyer_ids(filters),
        code=filters.code,
        created_after=filters.created_after,
        created_before=filters.created_before,
        ordering=filters.ordering,
    )


# Declared before /{order_id}/ so that "pending-payment" is not read as an id.
@router.get("/pending-payment/", response=read(list[OrderOut]))
@paginate(Pagination)
def list_pending_payment(request: HttpRequest, filters: Query[PendingFilters]) -> QuerySet[Order]:
    """Orders waiting for payment: those whose proof waits for review first (oldest proof
    first), then the rest by age."""
    return selectors.orders_waiting_payment(raffle_id=filters.raffle, with_proof=filters.with_proof)


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


@router.post("/{order_id}/cancel-paid/", response=write(OrderDetailOut, 404, 409))
def cancel_paid_order(
    request: HttpRequest, payload: CancelPaidIn, order_id: int = OrderId
) -> Order:
    """Cancel a PAID order with a reason, its numbers released or kept out of sale (409 when
    the order is not paid or the draw's entries are frozen). Record the money given back
    with `refunds/`."""
    services.cancel_paid_order(
        _order(order_id),
        reason=payload.reason,
        release_numbers=payload.release_numbers,
        by=actor(request),
    )
    return _order(order_id)


@router.post("/{order_id}/undo-confirmation/", response=write(OrderDetailOut, 404, 409))
def undo_confirmation(request: HttpRequest, order_id: int = OrderId) -> Order:
    """Undo a payment confirmed less than PAYMENT_UNDO_MINUTES ago: the order awaits review
    again (409 after that, or when the order is not paid)."""
    services.undo_confirmation(_order(order_id), by=actor(request))
    return _order(order_id)


@router.post("/{order_id}/refunds/", response=write(OrderDetailOut, 404, 409, status=201))
def record_refund(
    request: HttpRequest, payload: RefundIn, order_id: int = OrderId
) -> Status[Order]:
    """Record money given back for a paid (or paid, then cancelled) order (400 `invalid`
    beyond what was paid less earlier refunds)."""
    services.record_refund(
        _order(order_id),
        amount=payload.amount,
        method=payload.method,
        note=payload.note,
        by=actor(request),
    )
    return Status(201, _order(order_id))


@router.get(
    "/{order_id}/proofs/{proof_id}/file",
    response=errors(401, 404, 422, 429),
    openapi_extra={"responses": {"200": PROOF_FILE_RESPONSE}},
)
def get_proof_file(
    request: HttpRequest, order_id: int = OrderId, proof_id: int = id_path("Proof id.")
) -> FileResponse:
    """The payment proof as the buyer sent it."""
    proof = selectors.order_proof(order_id, proof_id)
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
        filename=(proof.file.name or "").rsplit("/", 1)[-1],  # named: it opened
    )
