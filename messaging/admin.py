"""Read-mostly admin pages: what Meta sent and what we sent, for debugging a conversation."""

from django.contrib import admin

from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    OutboundMessage,
    WebhookDelivery,
    WebhookEvent,
)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
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
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["wa_message_id", "contact", "type", "timestamp", "status", "media_status"]
    list_filter = ["status", "type", "media_status"]
    search_fields = ["wa_message_id", "contact__wa_id", "contact__user_id", "text"]
    raw_id_fields = ["contact", "delivery"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "contact", "kind", "status", "attempts", "created_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["wa_message_id", "contact__wa_id", "contact__user_id"]
    raw_id_fields = ["contact"]


@admin.register(MessageStatus)
class MessageStatusAdmin(admin.ModelAdmin):
    list_display = ["wa_message_id", "status", "timestamp", "error_code"]
    list_filter = ["status"]
    search_fields = ["wa_message_id"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["kind", "received_at"]
    list_filter = ["kind"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "received_at", "status", "signature_ok", "size", "message_count"]
    list_filter = ["status", "signature_ok"]
