"""Read-mostly admin pages: what Meta sent and what we sent, for debugging a conversation."""

from typing import TYPE_CHECKING

from django.contrib import admin

from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    OutboundMessage,
    WebhookDelivery,
    WebhookEvent,
)

if TYPE_CHECKING:
    # ModelAdmin is generic in django-stubs only: at runtime it cannot be subscripted.
    ContactAdminBase = admin.ModelAdmin[Contact]
    InboundMessageAdminBase = admin.ModelAdmin[InboundMessage]
    OutboundMessageAdminBase = admin.ModelAdmin[OutboundMessage]
    MessageStatusAdminBase = admin.ModelAdmin[MessageStatus]
    WebhookEventAdminBase = admin.ModelAdmin[WebhookEvent]
    WebhookDeliveryAdminBase = admin.ModelAdmin[WebhookDelivery]
else:
    ContactAdminBase = InboundMessageAdminBase = OutboundMessageAdminBase = admin.ModelAdmin
    MessageStatusAdminBase = WebhookEventAdminBase = WebhookDeliveryAdminBase = admin.ModelAdmin


@admin.register(Contact)
class ContactAdmin(ContactAdminBase):
    list_display = [
        "wa_id",
        "user_id",
        "username",
        "profile_name",
        "state",
        "last_inbound_at",
        "bot_paused",
        "wants_agent",
    ]
    list_filter = ["bot_paused", "wants_agent", "state"]
    search_fields = ["wa_id", "user_id", "username", "profile_name"]
    raw_id_fields = ["buyer"]


@admin.register(InboundMessage)
class InboundMessageAdmin(InboundMessageAdminBase):
    list_display = ["wa_message_id", "contact", "type", "timestamp", "status", "media_status"]
    list_filter = ["status", "type", "media_status"]
    search_fields = ["wa_message_id", "contact__wa_id", "contact__user_id", "text"]
    raw_id_fields = ["contact", "delivery"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(OutboundMessageAdminBase):
    list_display = ["id", "contact", "kind", "status", "attempts", "created_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["wa_message_id", "contact__wa_id", "contact__user_id"]
    raw_id_fields = ["contact"]


@admin.register(MessageStatus)
class MessageStatusAdmin(MessageStatusAdminBase):
    list_display = ["wa_message_id", "status", "timestamp", "error_code"]
    list_filter = ["status"]
    search_fields = ["wa_message_id"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(WebhookEventAdminBase):
    list_display = ["kind", "received_at"]
    list_filter = ["kind"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WebhookDeliveryAdminBase):
    list_display = ["id", "received_at", "status", "signature_ok", "size", "message_count"]
    list_filter = ["status", "signature_ok"]
