"""The panel beside the ticket grid: the clicked number's status, order and buyer."""

from __future__ import annotations

from typing import Any

from portal.access import visible_orders
from portal.components.base import StaffComponent, requires
from portal.queries import number_history, ticket_with_order
from portal.roles import Perm, user_can
from raffles.models import Order, Raffle, TicketNumber


class TicketDetailView(StaffComponent):
    _permission = Perm.VIEW
    raffle_id: int = 0
    number: int = -1

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id)

    @requires(Perm.VIEW)
    def show(self, number: int) -> None:
        self.number = int(number)

    @requires(Perm.VIEW)
    def clear(self) -> None:
        self.number = -1

    def _hide_orders_of_others(self, context: dict[str, Any]) -> None:
        """A seller sees the order and buyer of a number only when she sold it."""
        user = self.request.user
        if user_can(user, Perm.VIEW_ORDERS):
            return
        shown = [o for o in [context["order"], *context["history"]] if o is not None]
        mine = set(
            visible_orders(user, Order.objects.filter(pk__in=[o.pk for o in shown])).values_list(
                "pk", flat=True
            )
        )
        if context["order"] is not None and context["order"].pk not in mine:
            context["order"] = None
            context["order_hidden"] = True
        context["history"] = [o for o in context["history"] if o.pk in mine]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raffle = Raffle.objects.get(pk=self.raffle_id)
        context["raffle"] = raffle
        if self.number >= 0:
            ticket = ticket_with_order(raffle, self.number)
            context["ticket"] = ticket
            if ticket is not None:
                context["shown_status"] = ticket.effective_status()
                context["shown_label"] = TicketNumber.Status(context["shown_status"]).label
                context["order"] = ticket.reserved_by_order
                context["lapsed"] = ticket.is_lapsed()
                context["history"] = number_history(raffle, self.number)
                self._hide_orders_of_others(context)
        return context
