"""The audit log's vocabulary and row shape: every kind of event, and the columns a row has.

One model (`OrderEvent`) holds every state change of an order and every staff action; one
builder (`raffles.services.events.build_event`, through `log_event`) makes its rows for
every ORM writer. Hand-written SQL that inserts audit rows uses `EVENT_FIELDS` (the columns,
in order) and `EventKind` values, so both paths write the same rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    # Orders
    RESERVED = "reserved", _("Numbers reserved")
    RESERVED_RANDOM = "reserved_random", _("Random numbers reserved")
    PROOF_RECEIVED = "proof_received", _("Payment proof received")
    PAID = "paid", _("Payment confirmed")
    PAYMENT_REJECTED = "payment_rejected", _("Payment rejected")
    CANCELLED = "cancelled", _("Order cancelled")
    PAYMENT_UNDONE = "payment_undone", _("Payment confirmation undone")
    REFUNDED = "refunded", _("Refund recorded")
    EXPIRED = "expired", _("Hold expired")
    REMINDER = "reminder", _("Reminder sent")
    SOLD_BY_STAFF = "sold_by_staff", _("Sale recorded by staff")
    HOLD_KEPT_AFTER_RESTORE = "hold_kept_after_restore", _("Hold kept after a database restore")
    PAYMENT_FLAGGED = "payment_flagged", _("Payment flagged for staff")
    PAYMENT_FLAG_HANDLED = "payment_flag_handled", _("Flagged payment marked handled")
    # Payment setup and bank statements
    PAYMENT_SETUP_CHANGED = "payment_setup_changed", _("Payment methods changed")
    STATEMENT_IMPORTED = "statement_imported", _("Bank statement imported")
    STATEMENT_MATCHED = "statement_matched", _("Paid by a bank statement line")
    STATEMENT_SUGGESTED = "statement_suggested", _("Bank statement line suggested")
    STATEMENT_FLAGGED = "statement_flagged", _("Bank statement line flagged")
    STATEMENT_ASSIGNED = "statement_assigned", _("Bank statement line assigned")
    STATEMENT_DISCARDED = "statement_discarded", _("Bank statement line discarded")
    STATEMENT_MAPPING_SAVED = "statement_mapping_saved", _("Bank column mapping saved")
    # Raffles and draws
    RAFFLE_CREATED = "raffle_created", _("Raffle created")
    RAFFLE_UPDATED = "raffle_updated", _("Raffle edited")
    RAFFLE_ACTIVATED = "raffle_activated", _("Raffle activated")
    RAFFLE_CLOSED = "raffle_closed", _("Sales closed")
    RAFFLE_ARCHIVED = "raffle_archived", _("Raffle archived")
    RAFFLE_RESTORED = "raffle_restored", _("Raffle restored from the archive")
    RAFFLE_DELETED = "raffle_deleted", _("Raffle deleted")
    TICKETS_GENERATED = "tickets_generated", _("Numbers generated")
    TICKETS_GENERATION_STARTED = "tickets_generation_started", _("Number generation started")
    DRAW_COMMITTED = "draw_committed", _("Draw committed")
    ENTRIES_FROZEN = "entries_frozen", _("Entries frozen")
    RAFFLE_DRAWN = "raffle_drawn", _("Raffle drawn")
    DRAW_SETUP_CHANGED = "draw_setup_changed", _("Draw method or prizes chosen")
    LOTTERY_RESULT_ENTERED = "lottery_result_entered", _("Lottery result entered")
    EARLY_DRAW_CREATED = "early_draw_created", _("Early-bird draw announced")
    EARLY_DRAW_FROZEN = "early_draw_frozen", _("Early-bird entries frozen")
    EARLY_DRAW_DRAWN = "early_draw_drawn", _("Early-bird draw drawn")
    NUMBERS_BLOCKED = "numbers_blocked", _("Numbers blocked from sale")
    NUMBERS_UNBLOCKED = "numbers_unblocked", _("Numbers unblocked")
    PRIZE_PHOTO_SET = "prize_photo_set", _("Prize photo changed")
    CLAIM_OPENED = "claim_opened", _("Prize claim opened")
    CLAIM_REGISTERED = "claim_registered", _("Prize claimed by the winner")
    CLAIM_UPDATED = "claim_updated", _("Prize claim updated")
    # Sellers (raffles.services.sellers)
    SELLER_SAVED = "seller_saved", _("Seller code saved")
    SELLER_COMMISSION_SET = "seller_commission_set", _("Seller commission set")
    # Conversations and messages
    BOT_PAUSED = "bot_paused", _("Bot paused")
    BOT_RESUMED = "bot_resumed", _("Bot resumed")
    STAFF_REPLY = "staff_reply", _("Staff reply")
    INBOUND_RETRIED = "inbound_retried", _("Inbound retried")
    OUTBOX_RESENT = "outbox_resent", _("Outbox resent")
    MARKETING_OPT_OUT = "marketing_opt_out", _("Opted out of news")
    MARKETING_OPT_IN = "marketing_opt_in", _("Opted in to news")
    FAQ_ADDED = "faq_added", _("FAQ entry added")
    FAQ_CHANGED = "faq_changed", _("FAQ entry changed")
    # The inbox (messaging.inbox)
    CONVERSATION_ASSIGNED = "conversation_assigned", _("Conversation assigned")
    CONVERSATION_RESOLVED = "conversation_resolved", _("Conversation resolved")
    CONVERSATION_REOPENED = "conversation_reopened", _("Conversation reopened")
    CONVERSATION_NOTE = "conversation_note", _("Internal note added")
    STAFF_FILE = "staff_file", _("File sent by staff")
    STAFF_TEMPLATE = "staff_template", _("Template sent by staff")
    CANNED_REPLY_ADDED = "canned_reply_added", _("Canned reply added")
    CANNED_REPLY_CHANGED = "canned_reply_changed", _("Canned reply changed")
    # Staff accounts and API keys
    STAFF_USER_CREATED = "staff_user_created", _("Staff user created")
    STAFF_USER_ACTIVE = "staff_user_active", _("Staff user active")
    STAFF_USER_DISABLED = "staff_user_disabled", _("Staff user disabled")
    STAFF_ACCESS_CHANGED = "staff_access_changed", _("Staff access changed")
    SUPERUSER_ACCESS_CHANGED = "superuser_access_changed", _("Superuser access changed")
    STAFF_PASSWORD_SET = "staff_password_set", _("Staff password set")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    PRICES_CHANGED = "prices_changed", _("Bundles and early-bird price changed")
    COUPON_CREATED = "coupon_created", _("Coupon created")
    COUPON_CHANGED = "coupon_changed", _("Coupon changed")
    COUPON_APPLIED = "coupon_applied", _("Coupon applied")


# The columns of an audit row (field names of `OrderEvent`, in this order), as every writer
# fills them; a test pins them to the model.
EVENT_FIELDS = (
    "order",
    "raffle",
    "kind",
    "actor_type",
    "actor_user",
    "actor_label",
    "created_at",
    "details",
)


def event_values(
    *,
    kind: str,
    order_id: int | None,
    raffle_id: int | None,
    actor_type: str,
    actor_user_id: int | None,
    actor_label: str,
    created_at: datetime,
    details: dict[str, Any],
) -> dict[str, Any]:
    """One audit row's values by attribute name (`order_id`, …), in `EVENT_FIELDS` order.
    Raises ValueError for a kind that is not an `EventKind`."""
    return {
        "order_id": order_id,
        "raffle_id": raffle_id,
        "kind": EventKind(kind).value,
        "actor_type": actor_type,
        "actor_user_id": actor_user_id,
        "actor_label": actor_label,
        "created_at": created_at,
        "details": details,
    }


# `details` key of a staff or API action's origin (address and browser): for the owners'
# audit log only (`raffles.services.origin`).
ORIGIN_KEY = "origin"


def shared_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """An event's details as shown beyond the audit log (an order's timeline in the API):
    without the origin."""
    return {k: v for k, v in (details or {}).items() if k != ORIGIN_KEY}
