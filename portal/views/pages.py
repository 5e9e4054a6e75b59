"""Pages: each checks staff access and hosts the unicorn components that do the work."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from messaging.models import Contact
from portal.access import StaffRequiredMixin, visible_orders
from portal.roles import Perm
from raffles.models import Order, Raffle


class PortalPage(StaffRequiredMixin, TemplateView):
    section = ""
    title: str | Promise = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        context["title"] = self.title
        return context


class DashboardPage(PortalPage):
    template_name = "portal/dashboard.html"
    section = "dashboard"
    title = gettext_lazy("Dashboard")


class RaffleListPage(PortalPage):
    template_name = "portal/raffles.html"
    section = "raffles"
    title = gettext_lazy("Raffles")


class RaffleCreatePage(PortalPage):
    permission = Perm.MANAGE_RAFFLES
    template_name = "portal/raffle_form.html"
    section = "raffles"
    title = gettext_lazy("New raffle")


class RafflePage(PortalPage):
    """A page about one raffle (detail, edit, ticket grid)."""

    section = "raffles"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["raffle"] = get_object_or_404(Raffle, pk=self.kwargs["raffle_id"])
        context["title"] = context["raffle"].title
        context["scope"] = f"raffle:{context['raffle'].pk}"
        return context


class RaffleDetailPage(RafflePage):
    template_name = "portal/raffle_detail.html"


class RaffleEditPage(RafflePage):
    permission = Perm.MANAGE_RAFFLES
    template_name = "portal/raffle_form.html"


class TicketGridPage(RafflePage):
    template_name = "portal/ticket_grid.html"


class ReviewPage(PortalPage):
    permission = Perm.VIEW_PAYMENTS
    template_name = "portal/review.html"
    section = "review"
    title = gettext_lazy("Payment review")


class OrderListPage(PortalPage):
    permission = Perm.VIEW_OWN_ORDERS
    template_name = "portal/orders.html"
    section = "orders"
    title = gettext_lazy("Orders")


class OrderPage(PortalPage):
    permission = Perm.VIEW_OWN_ORDERS
    template_name = "portal/order_detail.html"
    section = "orders"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        orders = visible_orders(self.request.user, Order.objects.all())
        order = get_object_or_404(orders, code=str(self.kwargs["code"]).upper())
        context["order"] = order
        context["title"] = _("Order %(code)s") % {"code": order.code}
        context["scope"] = f"order:{order.pk}"
        return context


class ConversationsPage(PortalPage):
    permission = Perm.VIEW_CONVERSATIONS
    template_name = "portal/conversations.html"
    section = "conversations"
    title = gettext_lazy("Conversations")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contact_id = self.kwargs.get("contact_id") or 0
        if contact_id:
            get_object_or_404(Contact, pk=contact_id)
        context["contact_id"] = contact_id
        context["scope"] = "contacts"  # the list changes with any contact
        return context


class OutboxPage(PortalPage):
    permission = Perm.VIEW_OUTBOX
    template_name = "portal/outbox.html"
    section = "outbox"
    title = gettext_lazy("Outbox")


class SimulatorPage(PortalPage):
    permission = Perm.USE_SIMULATOR
    template_name = "portal/simulator.html"
    section = "simulator"
    title = gettext_lazy("Simulator")


class StaffAccountsPage(PortalPage):
    permission = Perm.MANAGE_STAFF
    template_name = "portal/staff.html"
    section = "staff"
    title = gettext_lazy("Staff accounts")


class ApiKeysPage(PortalPage):
    permission = Perm.MANAGE_API_KEYS
    template_name = "portal/api_keys.html"
    section = "api-keys"
    title = gettext_lazy("API keys")
