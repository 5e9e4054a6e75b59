"""One order: its numbers, proofs and hold; one timeline merging the buyer's WhatsApp
messages (with delivery status), state changes and staff actions; cancel, confirm, reject;
refunds and reversals (cancel a paid order with a reason, undo a recent confirmation,
record a refund), each behind a confirmation step."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal import conversations
from portal.access import visible_orders
from portal.components.base import StaffComponent, requires
from portal.queries import describe_event, event_label, hold_state, order_events, order_proofs
from portal.roles import Perm
from raffles import services
from raffles.models import Order, Refund

CONFIRMED_ACTIONS = ("cancel_paid", "undo", "refund")  # each shows its form first


class OrderDetailView(StaffComponent):
    _permission = Perm.VIEW_OWN_ORDERS
    order_id: int = 0
    reason: str = ""
    notice: str = ""
    confirming_cancel: bool = False
    confirming: str = ""  # the action in CONFIRMED_ACTIONS whose form shows
    cancel_reason: str = ""
    release_numbers: bool = True
    refund_amount: str = ""
    refund_method: str = "cash"
    refund_note: str = ""

    def mount(self) -> None:
        self.order_id = int(self.order_id)

    def _order(self) -> Order:
        # Annotated: raffles' OrderQuerySet methods return Any to mypy today.
        orders = visible_orders(self.request.user, Order.objects.all())
        order: Order = orders.select_related("raffle", "buyer", "confirmed_by").get(
            pk=self.order_id
        )
        return order

    @requires(Perm.REVIEW_PAYMENTS)
    def confirm(self) -> None:
        self.notice = ""
        order = services.confirm_paid(self._order(), by=self.request.user)
        self.notice = _("Payment confirmed: the numbers of %(code)s are sold.") % {
            "code": order.code
        }

    @requires(Perm.REVIEW_PAYMENTS)
    def reject(self) -> None:
        self.notice = ""
        services.reject_payment(self._order(), self.reason, by=self.request.user)
        self.reason = ""
        self.notice = _("Payment rejected; the buyer was told why and can send a new proof.")

    @requires(Perm.REVIEW_PAYMENTS)
    def ask_cancel(self) -> None:
        self.confirming_cancel = True

    @requires(Perm.REVIEW_PAYMENTS)
    def keep(self) -> None:
        self.confirming_cancel = False

    @requires(Perm.REVIEW_PAYMENTS)
    def cancel(self) -> None:
        self.notice = ""
        self.confirming_cancel = False
        services.cancel_order(self._order(), by=self.request.user)
        self.notice = _("Order cancelled; its numbers are free again.")

    @requires(Perm.REVIEW_PAYMENTS)
    def ask(self, action: str) -> None:
        """Show the form of `action` (or hide it: any other value)."""
        self.confirming = action if action in CONFIRMED_ACTIONS else ""
        if self.confirming == "refund" and not self.refund_amount:
            self.refund_amount = str(services.refund_left(self._order()))

    @requires(Perm.REVIEW_PAYMENTS)
    def undo(self) -> None:
        self.notice = ""
        self.confirming = ""
        order = services.undo_confirmation(self._order(), by=self.request.user)
        self.notice = _("Confirmation of %(code)s undone: the order waits for review again.") % {
            "code": order.code
        }

    @requires(Perm.REVIEW_PAYMENTS)
    def cancel_paid(self) -> None:
        self.notice = ""
        order = services.cancel_paid_order(
            self._order(),
            reason=self.cancel_reason,
            release_numbers=bool(self.release_numbers),
            by=self.request.user,
        )
        self.confirming = ""
        self.cancel_reason = ""
        self.notice = (
            _("Order %(code)s cancelled; its numbers are for sale again.")
            if self.release_numbers
            else _("Order %(code)s cancelled; its numbers stay out of sale.")
        ) % {"code": order.code}

    @requires(Perm.REVIEW_PAYMENTS)
    def refund(self) -> None:
        self.notice = ""
        amount = str(self.refund_amount or "").strip()
        if not amount:
            self.field_errors = {"amount": _("Enter the amount given back.")}
            return
        refund = services.record_refund(
            self._order(),
            amount=amount,
            method=self.refund_method,
            note=self.refund_note,
            by=self.request.user,
        )
        self.confirming = ""
        self.refund_amount = self.refund_note = ""
        self.notice = _("Refund of %(amount)s recorded.") % {"amount": refund.amount}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        order = self._order()
        proofs = order_proofs(order)
        timeline: list[dict[str, Any] | conversations.ChatMessage] = []
        for event in order_events(order):
            timeline.append(
                {
                    "at": event.created_at,
                    "type": "event",
                    "event": event,
                    "label": event_label(event.kind),
                    "detail": describe_event(event),
                }
            )
        timeline.extend(conversations.order_messages(order))
        timeline.sort(key=lambda item: (item["at"], 0 if item["type"] == "event" else 1))
        context.update(
            order=order,
            raffle=order.raffle,
            numbers=order.formatted_numbers(),
            proofs=proofs,
            pending_proof=any(p.review == "pending" for p in proofs),
            hold=hold_state(order),
            timeline=timeline,
            contact=conversations.contact_for_buyer(order.buyer_id),
            can_undo=services.can_undo_confirmation(order),
            refund_left=services.refund_left(order),
            refunds=list(order.refunds.all()),
            refund_methods=Refund.Method.choices,
        )
        return context
