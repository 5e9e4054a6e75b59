"""Roles: who may do what in the portal and the API. The one home of that rule.

Each staff user has one role (`portal.StaffRole`; superusers are always owners, a staff user
without a role row is a viewer). Each API key has its own role (`ApiKey.role`). Pages,
exports, unicorn component actions and API operations each name the permission they need;
`ROLE_PERMISSIONS` says which role holds which permission.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    REVIEWER = "reviewer", _("Reviewer")
    SELLER = "seller", _("Seller")
    VIEWER = "viewer", _("Viewer")


class Perm(StrEnum):
    """What a page, an export, a component action or an API operation needs."""

    VIEW = "portal.view"  # dashboard, raffles, their numbers, FAQ (read)
    MANAGE_RAFFLES = "raffles.manage"  # create, edit, generate, activate, close, draw
    MANAGE_FAQ = "faq.manage"
    VIEW_ORDERS = "orders.view"  # every order
    VIEW_OWN_ORDERS = "orders.view_own"  # orders the user sold
    SELL = "tickets.sell"  # record a sale from the grid (cash, transfer, …)
    VIEW_PAYMENTS = "payments.view"  # review queue and proof files (read)
    REVIEW_PAYMENTS = "payments.review"  # confirm, reject, cancel
    VIEW_CONVERSATIONS = "conversations.view"
    REPLY_CONVERSATIONS = "conversations.reply"  # reply, pause/resume the bot, retry,
    # assign, resolve, notes, files and templates (the inbox)
    MANAGE_CANNED_REPLIES = "canned_replies.manage"  # the inbox's ready answers
    VIEW_OUTBOX = "outbox.view"
    RESEND_OUTBOX = "outbox.resend"
    EXPORT = "data.export"  # CSV exports of orders and sold numbers
    USE_SIMULATOR = "simulator.use"
    MANAGE_STAFF = "staff.manage"
    MANAGE_API_KEYS = "api_keys.manage"
    VIEW_AUDIT = "audit.view"  # the staff audit log and its CSV (who did what, from where)
    VIEW_SALES = "sales.view"  # a raffle's sales charts and money (confirmed, pending)


_READ = frozenset(
    {
        Perm.VIEW,
        Perm.VIEW_ORDERS,
        Perm.VIEW_OWN_ORDERS,
        Perm.VIEW_PAYMENTS,
        Perm.VIEW_CONVERSATIONS,
        Perm.VIEW_OUTBOX,
        Perm.EXPORT,
        Perm.VIEW_SALES,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.REVIEWER: _READ | {Perm.REVIEW_PAYMENTS, Perm.REPLY_CONVERSATIONS, Perm.RESEND_OUTBOX},
    Role.SELLER: frozenset({Perm.VIEW, Perm.VIEW_OWN_ORDERS, Perm.SELL}),
    Role.VIEWER: _READ,
}

# API operations (by operation id, the view function's name) → the permission each needs,
# for API keys (their own role) and staff sessions (the user's role) alike.
API_PERMISSIONS: dict[str, Perm] = {
    "list_raffles": Perm.VIEW,
    "get_raffle": Perm.VIEW,
    "raffle_availability": Perm.VIEW,
    "list_tickets": Perm.VIEW,
    "get_raffle_draw": Perm.VIEW,
    "create_raffle": Perm.MANAGE_RAFFLES,
    "replace_raffle": Perm.MANAGE_RAFFLES,
    "update_raffle": Perm.MANAGE_RAFFLES,
    "delete_raffle": Perm.MANAGE_RAFFLES,
    "generate_tickets": Perm.MANAGE_RAFFLES,
    "activate_raffle": Perm.MANAGE_RAFFLES,
    "close_raffle": Perm.MANAGE_RAFFLES,
    "archive_raffle": Perm.MANAGE_RAFFLES,
    "restore_raffle": Perm.MANAGE_RAFFLES,
    "draw_raffle_winners": Perm.MANAGE_RAFFLES,
    "set_raffle_draw_setup": Perm.MANAGE_RAFFLES,
    "list_early_draws": Perm.VIEW,
    "create_raffle_early_draw": Perm.MANAGE_RAFFLES,
    "draw_raffle_early_draw": Perm.MANAGE_RAFFLES,
    "sell_tickets": Perm.SELL,
    "get_raffle_prices": Perm.VIEW,
    "quote_raffle_price": Perm.VIEW,
    "list_coupons": Perm.VIEW,
    "set_raffle_prices": Perm.MANAGE_RAFFLES,
    "create_coupon": Perm.MANAGE_RAFFLES,
    "update_coupon": Perm.MANAGE_RAFFLES,
    "apply_order_coupon": Perm.REVIEW_PAYMENTS,
    "list_orders": Perm.VIEW_ORDERS,
    "list_pending_payment": Perm.VIEW_ORDERS,
    "get_order": Perm.VIEW_ORDERS,
    "get_proof_file": Perm.VIEW_PAYMENTS,
    "confirm_payment": Perm.REVIEW_PAYMENTS,
    "reject_payment": Perm.REVIEW_PAYMENTS,
    "cancel_order": Perm.REVIEW_PAYMENTS,
    "cancel_paid_order": Perm.REVIEW_PAYMENTS,
    "undo_confirmation": Perm.REVIEW_PAYMENTS,
    "record_refund": Perm.REVIEW_PAYMENTS,
    "import_statement": Perm.REVIEW_PAYMENTS,
    "list_statement_lines": Perm.VIEW_PAYMENTS,
    "assign_statement_line": Perm.REVIEW_PAYMENTS,
    "list_contacts": Perm.VIEW_CONVERSATIONS,
    "get_contact": Perm.VIEW_CONVERSATIONS,
    "list_contact_messages": Perm.VIEW_CONVERSATIONS,
    "list_contact_orders": Perm.VIEW_CONVERSATIONS,
    "list_failed_inbound": Perm.VIEW_CONVERSATIONS,
    "pause_bot": Perm.REPLY_CONVERSATIONS,
    "resume_bot": Perm.REPLY_CONVERSATIONS,
    "retry_failed_inbound": Perm.REPLY_CONVERSATIONS,
    "list_outbox_problems": Perm.VIEW_OUTBOX,
    "resend_outbound": Perm.RESEND_OUTBOX,
    # Sellers (docs/sellers.md): a seller reaches only their own (/sellers/me/…).
    "list_sellers": Perm.VIEW_SALES,
    "save_seller": Perm.MANAGE_RAFFLES,
    "set_seller_commission": Perm.MANAGE_RAFFLES,
    "get_seller_in_raffle": Perm.VIEW_SALES,
    "raffle_seller_leaderboard": Perm.VIEW_SALES,
    "get_my_seller": Perm.SELL,
    "list_my_seller_orders": Perm.SELL,
}

DEFAULT_ROLE = Role.VIEWER
NO_ROLE = ""


def allows(role: str, perm: Perm | None) -> bool:
    """Does `role` hold `perm`? `None` (an action that declared nothing) is owners only."""
    if perm is None:
        return role == Role.OWNER
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def role_of(user: Any) -> str:
    """The portal role of a user: "" for anyone who may not use the portal at all."""
    if not (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    ):
        return NO_ROLE
    if getattr(user, "is_superuser", False):
        return Role.OWNER
    cached = getattr(user, "_portal_role", None)
    fields_cache = getattr(getattr(user, "_state", None), "fields_cache", {})
    if cached is None and "portal_role" in fields_cache:  # select_related("portal_role")
        row = fields_cache["portal_role"]
        cached = row.role if row is not None else DEFAULT_ROLE
    if cached is None:
        from portal.models import StaffRole

        stored = StaffRole.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
        cached = stored or DEFAULT_ROLE
        user._portal_role = cached
    return str(cached)


def api_permission(operation_id: str) -> Perm | None:
    """What an API operation needs; None (owners only) for one missing from the table."""
    return API_PERMISSIONS.get(operation_id)


def user_can(user: Any, perm: Perm | None) -> bool:
    role = role_of(user)
    return bool(role) and allows(role, perm)


def permissions_of(user: Any) -> frozenset[str]:
    """Every permission the user holds, as strings (for templates: `"orders.view" in can`)."""
    role = role_of(user)
    return frozenset(str(p) for p in ROLE_PERMISSIONS.get(role, frozenset()))
