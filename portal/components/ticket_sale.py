"""The selection panel beside the ticket grid: the numbers chosen on the grid (click,
shift-click for a range, ctrl-click or "Select several" to add one, "Pick at random"), a sale
to a buyer (reserved or paid: cash, transfer, other, with a note and the buyer's coupon
code), the receipt (print, or
send on WhatsApp), and the bulk actions on the chosen numbers (mark held paid, release held,
block from sale, unblock).

The selection is a text field ("3, 4, 7-9") that portal.js fills from the grid, so it can
be typed as well. Every write is one `raffles.services` call."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.notifications import send_order_notice
from portal.access import visible_orders
from portal.components.base import StaffComponent, requires
from portal.roles import Perm, user_can
from portal.selection import format_numbers, parse_numbers
from raffles import services
from raffles.exceptions import CouponNotFound, CouponUnusable, InvalidInput
from raffles.models import Order, Raffle, SaleMethod

MAX_RANDOM = 500


class TicketSaleView(StaffComponent):
    _permission = Perm.VIEW
    raffle_id: int = 0
    numbers: str = ""
    qty: str = ""
    name: str = ""
    phone: str = ""
    outcome: str = "paid"  # "paid" or "reserved"
    method: str = SaleMethod.CASH.value
    note: str = ""
    coupon: str = ""  # the buyer's coupon code (optional)
    order_code: str = ""  # the last sale, for its receipt
    message: str = ""

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id)

    def _raffle(self) -> Raffle:
        return Raffle.objects.get(pk=self.raffle_id)

    def _chosen(self, raffle: Raffle) -> list[int]:
        return parse_numbers(self.numbers, limit=min(raffle.size, 2000))

    def _changed(self, message: str) -> None:
        """Say what happened, clear the grid's selection and re-render the grid."""
        self.message = message
        self.numbers = ""
        self.call("Unicorn.portalGridSelect", [])
        self.call("Unicorn.portalRefresh", "ticket-grid", "ticket-detail")

    @requires(Perm.SELL)
    def pick_random(self) -> None:
        raw = (self.qty or "").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_RANDOM:
            raise InvalidInput(
                _("Type how many numbers to pick, from 1 to %(max)s.") % {"max": MAX_RANDOM},
                field="qty",
            )
        picked = services.pick_free_numbers(self._raffle(), int(raw))
        if not picked:
            raise InvalidInput(_("No free numbers are left."), field="qty")
        self.numbers = format_numbers(picked)
        self.message = ""
        self.call("Unicorn.portalGridSelect", picked)

    @requires(Perm.SELL)
    def sell(self) -> None:
        raffle = self._raffle()
        paid = self.outcome != "reserved"
        order = services.sell_offline(
            raffle=raffle,
            numbers=self._chosen(raffle),
            buyer=services.SaleBuyer(name=self.name, phone=self.phone),
            paid=paid,
            method=self.method,
            note=self.note,
            coupon=self.coupon,
            by=self.request.user,
        )
        self.order_code = order.code
        self.name = self.phone = self.note = self.coupon = ""
        if order.coupon_code:
            done = (
                _("Sold: order %(code)s with coupon %(coupon)s.")
                if paid
                else _("Reserved: order %(code)s with coupon %(coupon)s.")
            )
        else:
            done = _("Sold: order %(code)s.") if paid else _("Reserved: order %(code)s.")
        self._changed(done % {"code": order.code, "coupon": order.coupon_code})

    def _show_error(self, exc: Exception, *, field: str | None = None) -> None:
        if isinstance(exc, CouponNotFound | CouponUnusable):
            self.field_errors = {**self.field_errors, "coupon": coupon_refusal(exc)}
            return
        super()._show_error(exc, field=field)

    def _last_order(self) -> Order | None:
        if not self.order_code:
            return None
        orders = visible_orders(self.request.user, Order.objects.select_related("buyer"))
        return orders.filter(code=self.order_code).first()

    @requires(Perm.SELL)
    def send_receipt(self) -> None:
        order = self._last_order()
        if order is None:
            return
        if send_order_notice(order):
            self.message = _("The receipt is on its way to %(phone)s on WhatsApp.") % {
                "phone": order.buyer.phone or order.buyer.name
            }
        else:
            self.error = _("This buyer has no phone number to send it to.")

    @requires(Perm.REVIEW_PAYMENTS)
    def confirm_held(self) -> None:
        raffle = self._raffle()
        orders = services.confirm_held(raffle, self._chosen(raffle), by=self.request.user)
        self._changed(
            ngettext("%(count)s order marked paid.", "%(count)s orders marked paid.", len(orders))
            % {"count": len(orders)}
        )

    @requires(Perm.REVIEW_PAYMENTS)
    def release_held(self) -> None:
        raffle = self._raffle()
        orders = services.release_held(raffle, self._chosen(raffle), by=self.request.user)
        self._changed(
            ngettext("%(count)s order released.", "%(count)s orders released.", len(orders))
            % {"count": len(orders)}
        )

    @requires(Perm.MANAGE_RAFFLES)
    def block(self) -> None:
        raffle = self._raffle()
        done = services.block_numbers(raffle, self._chosen(raffle), by=self.request.user)
        self._changed(
            ngettext(
                "%(count)s number blocked from sale.",
                "%(count)s numbers blocked from sale.",
                len(done),
            )
            % {"count": len(done)}
        )

    @requires(Perm.MANAGE_RAFFLES)
    def unblock(self) -> None:
        raffle = self._raffle()
        done = services.unblock_numbers(raffle, self._chosen(raffle), by=self.request.user)
        self._changed(
            ngettext("%(count)s number back on sale.", "%(count)s numbers back on sale.", len(done))
            % {"count": len(done)}
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        order = self._last_order()
        context.update(
            raffle=self._raffle(),
            methods=SaleMethod.choices,
            can_sell=user_can(user, Perm.SELL),
            can_review=user_can(user, Perm.REVIEW_PAYMENTS),
            can_manage=user_can(user, Perm.MANAGE_RAFFLES),
            order=order,
            receipt_url=reverse("portal:order-receipt", args=[order.code]) if order else "",
        )
        return context


def coupon_refusal(exc: CouponNotFound | CouponUnusable) -> str:
    """Why the buyer's coupon refused the sale, in the user's language."""
    if isinstance(exc, CouponNotFound):
        message = _("No coupon %(code)s for this raffle: check the code. Nothing was sold.")
    else:
        message = {
            "expired": _("The coupon %(code)s has expired. Nothing was sold."),
            "used_up": _(
                "The coupon %(code)s has been used as many times as it allows. Nothing was sold."
            ),
        }.get(exc.reason, _("The coupon %(code)s is disabled. Nothing was sold."))
    return message % {"code": exc.coupon_code}
