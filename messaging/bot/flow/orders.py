"""Orders and payment: confirming a hold, paying, cancelling, payment proofs, tickets."""

from __future__ import annotations

from django.utils.translation import gettext as _

from messaging.bot.flow import money_text, screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import (
    AttachProof,
    Cancel,
    ProofUnreadable,
)
from messaging.bot.flow.events import Media
from messaging.bot.flow.snapshots import OrderView
from messaging.bot.flow.states import (
    BROWSING,
    ORDER_STATES,
    PAYMENT,
    PROOF_TYPES,
    RAFFLE,
    REVIEW,
    START,
)
from raffles import exceptions as errors


class Orders(ConversationBase):
    """An order from its hold to its proof, and the buyer's tickets."""

    def order_gone(self, code: str, order: OrderView | None) -> Turn | None:
        """The answer when an order can no longer go on (missing, closed, hold expired)."""
        if order is None:
            return self.out(screens.order_not_found(code), START, {})
        if order.is_final or (order.is_expired and order.proof_received):
            return self.out(screens.order_closed(order), START, {})
        if order.hold_expired(self.q.now):
            raffle = self.q.raffle(order.raffle_id)
            replies = screens.hold_expired(order, raffle)
            if raffle is not None and raffle.selling:
                return self.out(replies, RAFFLE, {"raffle": raffle.id, "ask": "numbers"})
            return self.out(replies, START, {})
        return None

    def confirm(self, code: str) -> Turn:
        order = self.q.order(code)
        gone = self.order_gone(code, order)
        if gone is not None or order is None:
            return gone or self.stay()
        context = {"raffle": order.raffle_id, "order": order.code}
        if order.proof_received:
            return self.out(screens.already_reviewing(order), REVIEW, context)
        return self.out(screens.payment(order, self.q.now), PAYMENT, context)

    def pay(self, code: str) -> Turn:
        code = code or self.ctx.get("order", "")
        order = self.q.order(code) if code else None
        if order is None or not order.is_live:
            live = [o for o in self.q.live_orders() if not o.hold_expired(self.q.now)]
            if not live:
                if order is not None:
                    return self.confirm(order.code)
                return self.stay(_no_payment_due())
            order = live[0]
        return self.confirm(order.code)

    def cancel_command(self) -> Turn:
        if self.state in ORDER_STATES:
            return self.cancel_order(self.ctx["order"])
        if self.state in (RAFFLE, BROWSING):
            raffles, total = self.selling()
            return self.out(
                screens.lead(
                    _cancelled_step(),
                    screens.main_menu(
                        self.q.buyer_name, raffles, total, self.q.live_orders(), welcome=False
                    ),
                ),
                START,
                {},
            )
        live = [
            o
            for o in self.q.live_orders()
            if not o.proof_received and not o.hold_expired(self.q.now)
        ]
        if live:
            return self.out(screens.ask_cancel(live[0], len(live) - 1), START, {})
        return self.out(screens.nothing_to_cancel(), START, {})

    def cancel_order(self, code: str) -> Turn:
        order = self.q.order(code)
        if order is None:
            return self.out(screens.order_not_found(code), START, {})
        if not order.is_live:
            return self.out(screens.order_closed(order), START, {})
        if order.proof_received:
            return self.out(
                screens.cannot_cancel_reviewing(order),
                REVIEW,
                {"raffle": order.raffle_id, "order": order.code},
            )
        return self.effect(Cancel(order.code))

    def after_cancel(self, effect: Cancel, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            return self.out(screens.cancelled(result), START, {})
        order = self.q.order(effect.code)
        if order is None:
            return self.out(screens.order_not_found(effect.code), START, {})
        return self.out(screens.order_closed(order), START, {})

    def proof_target(self) -> OrderView | None:
        order = self.ctx_order() if self.state in ORDER_STATES else None
        if order is not None and order.is_waiting_payment:
            return order
        live = self.q.live_orders()
        if live:
            return live[0]
        if order is not None and order.accepts_proof:
            return order  # an expired hold: a late payment staff may still accept
        return None

    def on_media(self, media: Media) -> Turn:
        if not media.ok:
            return self.out(screens.proof_unreadable(media.error))
        if media.mime_type and media.mime_type.split(";")[0].strip() not in PROOF_TYPES:
            return self.out(screens.proof_unreadable())
        order = self.proof_target()
        if order is None:
            return self.out(screens.media_without_order())
        return self.effect(AttachProof(order.code, media))

    def after_proof(self, effect: AttachProof, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            return self.out(
                screens.proof_received(result, late=result.is_expired),
                REVIEW,
                {"raffle": result.raffle_id, "order": result.code},
            )
        if isinstance(result, ProofUnreadable | errors.InvalidInput):
            detail = result.detail if isinstance(result, ProofUnreadable) else ""
            return self.out(screens.proof_unreadable(detail))
        order = self.q.order(effect.code)
        if order is None:
            return self.out(screens.order_not_found(effect.code), START, {})
        return self.out(screens.order_closed(order), START, {})

    # --- Money, payment notes and "yes" ------------------------------------------------------

    def waiting_order(self) -> OrderView | None:
        """The order waiting for payment the buyer most likely talks about: the one in
        progress, else her newest unconfirmed one."""
        order = self.ctx_order() if self.state in ORDER_STATES else None
        if order is not None and order.is_unconfirmed(self.q.now):
            return order
        return next((o for o in self.q.live_orders() if o.is_unconfirmed(self.q.now)), None)

    def on_money(self, kind: str) -> Turn:
        """An amount or "I paid": never numbers to reserve. Answered with the order waiting
        for payment and what to do (send the receipt)."""
        order = self.waiting_order()
        if order is None:
            if kind == money_text.NOTE:
                return self.out(screens.note_without_order())
            return self.stay(screens.amount_not_numbers())
        return self.waiting(order, screens.payment_note(order))

    def confirm_elsewhere(self) -> Turn:
        """ "yes" / "ok" outside the confirm step: what there is to confirm, if anything."""
        order = self.waiting_order()
        if order is None:
            return self.out(screens.nothing_to_confirm())
        return self.waiting(order, screens.confirm_waiting(order))

    def waiting(self, order: OrderView, replies: screens.Replies) -> Turn:
        context = {"raffle": order.raffle_id, "order": order.code}
        if order.proof_received:
            return self.out(screens.already_reviewing(order), REVIEW, context)
        return self.out(replies, PAYMENT, context)

    def tickets(self) -> Turn:
        return self.out(screens.tickets(self.q.paid_tickets(), self.q.live_orders(), self.q.now))


def _no_payment_due() -> str:
    return _("You have no order waiting for payment.")


def _cancelled_step() -> str:
    return _("OK, cancelled.")
