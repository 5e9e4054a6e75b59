"""Payment review: the oldest proof waiting (selectors.proof_queue) beside its order; confirm
or reject with a reason (keys: c, r); the next proof loads by itself. A confirmation (one
key) shows an undo toast: its Undo button (key u) puts the order back in review while
PAYMENT_UNDO_MINUTES last. New proofs arrive through
the page's `live-version` (scope `proofs`), which calls `refresh`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.components.base import StaffComponent, requires
from portal.queries import hold_state
from portal.roles import Perm
from raffles import services
from raffles.models import Order, PaymentProof
from raffles.payments.proof_hints import Hints
from raffles.selectors import proof_queue

QUEUE_SHOWN = 30


class ReviewQueueView(StaffComponent):
    _permission = Perm.VIEW_PAYMENTS
    proof_id: int = 0
    reason: str = ""
    notice: str = ""
    undo_order_id: int = 0  # the order just confirmed: its toast offers Undo

    def mount(self) -> None:
        self._load_first()

    # -- navigation ---------------------------------------------------------------------------
    def _load_first(self) -> None:
        first = proof_queue().values_list("id", flat=True).first()
        self._show(first or 0)

    def _show(self, proof_id: int) -> None:
        if proof_id != self.proof_id:
            self.reason = ""
        self.proof_id = int(proof_id)

    def _current(self) -> PaymentProof | None:
        if not self.proof_id:
            return None
        return proof_queue().filter(pk=self.proof_id).first()

    def _after(self, proof: PaymentProof | None) -> int:
        queue = proof_queue()
        if proof is not None:
            later = queue.filter(
                Q(received_at__gt=proof.received_at)
                | Q(received_at=proof.received_at, id__gt=proof.id)
            ).exclude(order_id=proof.order_id)
            nxt = later.values_list("id", flat=True).first()
            if nxt:
                return nxt
            queue = queue.exclude(order_id=proof.order_id)
        return queue.values_list("id", flat=True).first() or 0

    def refresh(self) -> None:
        if self.proof_id and self._current() is None:
            self.notice = _(
                "That proof was handled meanwhile (by someone else); here is the next one."
            )
            self._load_first()
        elif not self.proof_id:
            self._load_first()

    @requires(Perm.VIEW_PAYMENTS)
    def select(self, proof_id: int) -> None:
        self.notice = ""
        self._show(int(proof_id))

    @requires(Perm.VIEW_PAYMENTS)
    def skip(self) -> None:
        self.notice = ""
        self._show(self._after(self._current()))

    # -- decisions ----------------------------------------------------------------------------
    @requires(Perm.REVIEW_PAYMENTS)
    def confirm(self) -> None:
        self.notice = ""
        self.undo_order_id = 0
        proof = self._current()
        if proof is None:
            self.refresh()
            return
        order = services.confirm_paid(proof.order, by=self.request.user)
        self.notice = _("Order %(code)s confirmed: its numbers are sold.") % {"code": order.code}
        self.undo_order_id = order.pk
        self._show(self._after(proof))

    @requires(Perm.REVIEW_PAYMENTS)
    def undo(self) -> None:
        """Undo the confirmation the toast shows: the order is back in review, on screen."""
        self.notice = ""
        order_id, self.undo_order_id = self.undo_order_id, 0
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            return
        order = services.undo_confirmation(order, by=self.request.user)
        self.notice = _("Confirmation of order %(code)s undone: it waits for review again.") % {
            "code": order.code
        }
        back = proof_queue().filter(order_id=order.pk).values_list("id", flat=True).first()
        if back:
            self._show(back)

    @requires(Perm.REVIEW_PAYMENTS)
    def reject(self) -> None:
        self.notice = ""
        self.undo_order_id = 0
        proof = self._current()
        if proof is None:
            self.refresh()
            return
        services.reject_payment(proof.order, self.reason, by=self.request.user)
        self.notice = _("Payment of order %(code)s rejected; the buyer was told why.") % {
            "code": proof.order.code
        }
        self.reason = ""
        self._show(self._after(proof))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queue = proof_queue()
        proof = self._current()
        context["queue"] = [(p, Hints.from_json(p.hints)) for p in queue[:QUEUE_SHOWN]]
        context["waiting"] = queue.count()
        context["proof"] = proof
        undo = Order.objects.filter(pk=self.undo_order_id).first() if self.undo_order_id else None
        context["can_undo"] = bool(undo and services.can_undo_confirmation(undo))
        if proof is not None:
            order = proof.order
            context.update(
                order=order,
                raffle=order.raffle,
                numbers=order.formatted_numbers(),
                hold=hold_state(order),
                is_image=proof.mime_type.startswith("image/"),
                is_pdf=proof.mime_type == "application/pdf",
                other_proofs=list(order.proofs.exclude(pk=proof.pk).order_by("-received_at")[:5]),
                hints=Hints.from_json(proof.hints),
            )
        return context
