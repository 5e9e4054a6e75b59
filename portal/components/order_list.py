"""Orders: search by code, phone, name or ticket number; filter by raffle and status; CSV
export of what is shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator

from portal.access import visible_orders
from portal.components.base import StaffComponent, requires
from portal.queries import OrderFilter, search_orders
from portal.roles import Perm, user_can
from raffles.models import Order, Raffle

PAGE_SIZE = 25


class OrderListView(StaffComponent):
    _permission = Perm.VIEW_OWN_ORDERS
    q: str = ""
    raffle: str = ""
    status: str = ""
    page: int = 1

    def mount(self) -> None:
        request = self.request
        if request is not None and hasattr(request, "GET"):
            self.q = request.GET.get("q", self.q)[:100]
            self.raffle = request.GET.get("raffle", self.raffle)
            self.status = request.GET.get("status", self.status)

    def updated(self, name: str, value: Any) -> None:
        if name in {"q", "raffle", "status"}:
            self.page = 1

    @requires(Perm.VIEW_OWN_ORDERS)
    def go(self, page: int) -> None:
        self.page = max(1, int(page))

    @requires(Perm.VIEW_OWN_ORDERS)
    def clear(self) -> None:
        self.q = self.raffle = self.status = ""
        self.page = 1

    def _filters(self) -> OrderFilter:
        return OrderFilter.from_query({"q": self.q, "raffle": self.raffle, "status": self.status})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = self._filters()
        page = Paginator(
            visible_orders(self.request.user, search_orders(filters)).prefetch_related(
                "order_tickets"
            ),
            PAGE_SIZE,
        ).get_page(self.page)
        query = {
            k: v
            for k, v in {
                "q": filters.q,
                "raffle": filters.raffle_id or "",
                "status": filters.status,
            }.items()
            if v
        }
        context.update(
            orders=page,
            raffles=Raffle.objects.order_by("-created_at").only("id", "title")[:200],
            statuses=Order.Status.choices,
            export_query=urlencode(query),
            can_export=user_can(self.request.user, Perm.EXPORT),
        )
        return context
