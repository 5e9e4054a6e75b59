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
    EXPIRED = "expired", _("Hold expired")
    REMINDER = "reminder", _("Reminder sent")
    SOLD_BY_STAFF = "sold_by_staff", _("Sale recorded by staff")
    HOLD_KEPT_AFTER_RESTORE = "hold_kept_after_restore", _("Hold kept after a database restore")
    # Raffles and draws
    RAFFLE_CREATED = "raffle_created", _("Raffle created")
    RAFFLE_UPDATED = "raffle_updated", _("Raffle edited")
    RAFFLE_ACTIVATED = "raffle_activated", _("Raffle activated")
    RAFFLE_CLOSED = "raffle_closed", _("Sales closed")
    TICKETS_GENERATED = "tickets_generated", _("Numbers generated")
    TICKETS_GENERATION_STARTED = "tickets_generation_started", _("Number generation started")
    DRAW_COMMITTED = "draw_committed", _("Draw committed")
    ENTRIES_FROZEN = "entries_frozen", _("Entries frozen")
    RAFFLE_DRAWN = "raffle_drawn", _("Raffle drawn")
    NUMBERS_BLOCKED = "numbers_blocked", _("Numbers blocked from sale")
    NUMBERS_UNBLOCKED = "numbers_unblocked", _("Numbers unblocked")
    PRIZE_PHOTO_SET = "prize_photo_set", _("Prize photo changed")
    CLAIM_OPENED = "claim_opened", _("Prize claim opened")
    CLAIM_REGISTERED = "claim_registered", _("Prize claimed by the winner")
    CLAIM_UPDATED = "claim_updated", _("Prize claim updated")
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
    # Staff accounts and API keys
    STAFF_USER_CREATED = "staff_user_created", _("Staff user created")
    STAFF_USER_ACTIVE = "staff_user_active", _("Staff user active")
    STAFF_USER_DISABLED = "staff_user_disabled", _("Staff user disabled")
    STAFF_ACCESS_CHANGED = "staff_access_changed", _("Staff access changed")
    SUPERUSER_ACCESS_CHANGED = "superuser_access_changed", _("Superuser access changed")
    STAFF_PASSWORD_SET = "staff_password_set", _("Staff password set")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")


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
