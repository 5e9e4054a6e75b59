"""Coupons: "coupon SAVE10" while an order waits for payment takes the coupon off it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from messaging.bot.flow import screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import ApplyCoupon
from messaging.bot.flow.snapshots import OrderView
from messaging.bot.flow.states import PAYMENT
from raffles import exceptions as errors


class Coupons(ConversationBase):
    if TYPE_CHECKING:

        def waiting_order(self) -> OrderView | None: ...

    def coupon(self, code: str) -> Turn:
        order = self.waiting_order()
        if order is None:
            return self.out(screens.coupon_without_order())
        context = {"raffle": order.raffle_id, "order": order.code}
        if order.proof_received or order.coupon_code:
            return self.out(screens.coupon_not_now(order), PAYMENT, context)
        return self.effect(ApplyCoupon(order.code, code))

    def after_coupon(self, effect: ApplyCoupon, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            context = {"raffle": result.raffle_id, "order": result.code}
            return self.out(screens.coupon_applied(result), PAYMENT, context)
        if isinstance(result, errors.CouponNotFound):
            return self.out(screens.coupon_unknown(effect.coupon))
        if isinstance(result, errors.CouponUnusable):
            return self.out(screens.coupon_unusable(effect.coupon, result.reason))
        order = self.q.order(effect.code)
        if order is None:
            return self.out(screens.coupon_without_order())
        return self.out(screens.coupon_not_now(order))
