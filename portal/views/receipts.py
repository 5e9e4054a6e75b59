"""The printable receipt of an order (a sale recorded at the counter, or any order the staff
member may see)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.access import StaffRequiredMixin, visible_orders
from portal.roles import Perm
from raffles.models import Order


class OrderReceiptPage(StaffRequiredMixin, TemplateView):
    permission = Perm.VIEW_OWN_ORDERS
    template_name = "portal/receipt.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        orders = visible_orders(
            self.request.user, Order.objects.select_related("raffle", "buyer", "sold_by")
        )
        order = get_object_or_404(orders, code=str(self.kwargs["code"]).upper())
        context.update(
            order=order,
            numbers=order.formatted_numbers(),
            title=_("Receipt %(code)s") % {"code": order.code},
            section="orders",
            printed_at=timezone.now(),
        )
        return context
