"""The WhatsApp channel's records: raw deliveries, contacts, inbound and outbound messages.

Everything Meta sends is stored before anything else happens (WebhookDelivery keeps the raw
body, InboundMessage / MessageStatus / WebhookEvent the parsed parts). Everything we send is
an OutboundMessage row first (the outbox), sent later by a task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


class WebhookDelivery(models.Model):
    """One POST from Meta, kept raw so nothing is lost even when a later shape fails parsing."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        STORED = "stored", _("Stored")
        INVALID = "invalid", _("Invalid JSON")
        REJECTED = "rejected", _("Bad signature")
        FAILED = "failed", _("Failed to store")

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    body = models.TextField(blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(default=0)
    signature_ok = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    message_count = models.PositiveIntegerField(default=0)
    status_count = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"


class Contact(models.Model):
    """A WhatsApp user who wrote to us. Points to the raffles Buyer.

    Known by their phone-based WhatsApp id (`wa_id`), by their business-scoped user id
    (`user_id`, a BSUID), or both; each is unique when set. A user who adopted a username may
    reach us with a BSUID only. The username is for display, never for matching."""

    wa_id = models.CharField(_("WhatsApp id"), max_length=32, blank=True)
    profile_name = models.CharField(max_length=200, blank=True)
    user_id = models.CharField(_("business-scoped user id"), max_length=160, blank=True)
    username = models.CharField(max_length=100, blank=True)
    buyer = models.OneToOneField(
        "raffles.Buyer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whatsapp_contact",
    )
    state = models.CharField(max_length=60, default="start")
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    bot_paused = models.BooleanField(default=False)
    wants_agent = models.BooleanField(default=False)
    # While paused: when the handover ends by itself (settings.HANDOVER_QUIET_MINUTES after
    # the pause or the last staff message; see messaging.services.end_quiet_handovers).
    handover_until = models.DateTimeField(null=True, blank=True)
    # The buyer said "stop"/"baja": no news or promotions (messages about her orders go on).
    marketing_opt_out = models.BooleanField(default=False)
    # The inbox (messaging.inbox): who on the staff handles the conversation, and whether it
    # is open or resolved (a new message from the buyer opens it again).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)  # null: open
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Lease: the one task that processes this contact's inbound messages right now.
    processing_token = models.CharField(max_length=32, blank=True)
    processing_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_inbound_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wa_id"], condition=~Q(wa_id=""), name="contact_wa_id_unique"
            ),
            models.UniqueConstraint(
                fields=["user_id"], condition=~Q(user_id=""), name="contact_user_id_unique"
            ),
            models.CheckConstraint(
                condition=~Q(wa_id="") | ~Q(user_id=""), name="contact_has_an_id"
            ),
        ]

    def __str__(self) -> str:
        return self.profile_name or self.handle

    @property
    def handle(self) -> str:
        """How staff see who this is when there is no profile name."""
        if self.wa_id:
            return self.wa_id
        return f"@{self.username}" if self.username else self.user_id

    @property
    def send_to(self) -> str:
        """Where a message to this contact goes: the phone number when known (Meta prefers
        it), else the BSUID (see payloads.recipient)."""
        return self.wa_id or self.user_id

    @property
    def window_closes_at(self) -> datetime | None:
        """End of the 24-hour customer-service window (free-form messages allowed until then)."""
        if self.last_inbound_at is None:
            return None
        return self.last_inbound_at + CUSTOMER_SERVICE_WINDOW

    @property
    def window_open(self) -> bool:
        closes = self.window_closes_at
        return closes is not None and timezone.now() < closes


class InboundMessage(models.Model):
    """A message a contact sent us (any type), stored once per Meta message id."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

    class MediaStatus(models.TextChoices):
        NONE = "", _("No media")
        PENDING = "pending", _("Not downloaded yet")
        DOWNLOADED = "downloaded", _("Downloaded")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Download failed")

    wa_message_id = models.CharField(max_length=255, unique=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="inbound_messages")
    delivery = models.ForeignKey(
        WebhookDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone_number_id = models.CharField(max_length=64, blank=True)
    type = models.CharField(max_length=40)
    timestamp = models.DateTimeField(null=True, blank=True)  # when the buyer sent it (Meta)
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)
    text = models.TextField(blank=True)  # text body, media caption, button text
    reply_id = models.CharField(max_length=256, blank=True)  # tapped button / list row id
    reply_title = models.CharField(max_length=256, blank=True)
    context_message_id = models.CharField(max_length=255, blank=True)  # the message replied to
    media_id = models.CharField(max_length=128, blank=True)
    media_mime = models.CharField(max_length=100, blank=True)  # as claimed by Meta
    media_filename = models.CharField(max_length=255, blank=True)
    media_status = models.CharField(
        max_length=10, choices=MediaStatus.choices, default=MediaStatus.NONE, blank=True
    )
    media_file = models.FileField(upload_to="whatsapp-media/", max_length=300, blank=True)
    media_content_type = models.CharField(max_length=100, blank=True)  # sniffed from bytes
    media_sha256 = models.CharField(max_length=64, blank=True)
    media_size = models.PositiveBigIntegerField(null=True, blank=True)
    media_error = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # why it failed (parked), or the last transient error
    # Handling attempts that failed, and when a message left pending by a transient error
    # (database unavailable, deadlock, lock timeout) is tried again; null: due now.
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["timestamp", "id"]
        indexes = [
            models.Index(fields=["contact", "status", "timestamp", "id"], name="inbound_queue_idx"),
            models.Index(fields=["status", "received_at"], name="inbound_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.wa_message_id}"


class MessageStatus(models.Model):
    """One status event (sent, delivered, read, failed, ...) for a message we sent."""

    wa_message_id = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=20)
    timestamp = models.DateTimeField(null=True, blank=True)
    recipient_id = models.CharField(max_length=160, blank=True)  # a wa_id, else a BSUID
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.TextField(blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    delivery = models.ForeignKey(
        WebhookDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["timestamp", "id"]
        verbose_name_plural = "message statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["wa_message_id", "status", "timestamp"], name="status_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wa_message_id} {self.status}"


class WebhookEvent(models.Model):
    """Anything else Meta sent: errors, account updates, calls, template reviews, new shapes."""

    kind = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField(default=dict)
    dedup_key = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    delivery = models.ForeignKey(
        WebhookDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.kind


class OutboundMedia(models.Model):
    """A file we send as a message (a rendered board, a ticket, a prize photo), kept
    privately until it goes out. It is uploaded to Meta once (POST /{phone-number-id}/media)
    and the id Meta gives is reused by every row that sends the same bytes while Meta keeps
    it (`REUSE_FOR`), so a retry or a second send of an unchanged picture uploads nothing."""

    REUSE_FOR = timedelta(days=25)  # Meta keeps uploaded media for 30 days

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="outbound-media/", max_length=300)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    filename = models.CharField(max_length=200, blank=True)
    graph_media_id = models.CharField(max_length=128, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "outbound media"

    def __str__(self) -> str:
        return f"{self.mime_type} {self.sha256[:12]}"

    def uploaded_id(self, now: datetime) -> str:
        """Meta's id for this file, while it may still be used; "" when it must be uploaded."""
        if self.graph_media_id and self.uploaded_at and now - self.uploaded_at < self.REUSE_FOR:
            return self.graph_media_id
        return ""


class OutboundMessage(models.Model):
    """The outbox: a message to send, written in the transaction that decided to send it."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        BUTTONS = "buttons", _("Reply buttons")
        LINK = "link", _("Link button")
        LIST = "list", _("List")
        TEMPLATE = "template", _("Template")
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")
        READ = "read", _("Mark as read")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")
        DROPPED = "dropped", _("Dropped (too old to matter)")

    PENDING_STATUSES = (Status.QUEUED, Status.SENDING)
    # Finished without reaching the buyer: shown to staff, who may re-send them.
    UNSENT_STATUSES = (Status.FAILED, Status.UNDELIVERABLE)

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="outbound_messages")
    to = models.CharField(max_length=160)  # the contact's wa_id, or their BSUID
    kind = models.CharField(max_length=10, choices=Kind.choices)
    payload = models.JSONField()  # the exact Graph API request body
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    wa_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # A message the buyer did not just ask for: outside the 24-hour window it falls back to
    # the configured template (see messaging.channel.retry_policy).
    notification = models.BooleanField(default=False)
    # A notification's own template (the exact Graph API body), sent instead when the
    # window closes before the row is sent, if the template is approved.
    template_fallback = models.JSONField(null=True, blank=True)
    resent_at = models.DateTimeField(null=True, blank=True)  # the last re-send by staff
    # A picture drawn when the row is sent, not when it is queued (a ticket): the renderer's
    # name and arguments, e.g. {"picture": "ticket", "order": 7, "language": "es"}
    # (`outbound_media.register`). Drawn once: the row then has its `media`.
    render = models.JSONField(null=True, blank=True)
    # An image or document to upload before sending: the payload gets Meta's media id then.
    media = models.ForeignKey(
        OutboundMedia, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    # The staff member who wrote it (a reply, a file, a template); null: the bot.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["contact", "status", "id"], name="outbox_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.contact_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES


class SendRateSlot(models.Model):
    """Shared pacing state: the next free send slot of one phone number (see pacing.py)."""

    key = models.CharField(max_length=64, unique=True)
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} next at {self.next_at}"


class FaqEntry(models.Model):
    """A question staff answer in the portal. The bot answers it when a buyer's message holds
    every word of one of its keywords (after its built-in intents; see flow.intents)."""

    LANGUAGES = ("en", "es", "pt")

    question = models.CharField(_("question"), max_length=200)
    keywords_en = models.TextField(_("keywords (English)"), blank=True)
    keywords_es = models.TextField(_("keywords (Spanish)"), blank=True)
    keywords_pt = models.TextField(_("keywords (Portuguese)"), blank=True)
    answer_en = models.TextField(_("answer (English)"), blank=True)
    answer_es = models.TextField(_("answer (Spanish)"), blank=True)
    answer_pt = models.TextField(_("answer (Portuguese)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question", "id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question

    def keywords(self) -> tuple[str, ...]:
        """Every keyword phrase, one per line or comma, in any language."""
        text = "\n".join(getattr(self, f"keywords_{code}") for code in self.LANGUAGES)
        return tuple(k.strip() for k in text.replace(",", "\n").splitlines() if k.strip())

    def answers(self) -> dict[str, str]:
        return {
            code: getattr(self, f"answer_{code}").strip()
            for code in self.LANGUAGES
            if getattr(self, f"answer_{code}").strip()
        }


class DrawReminder(models.Model):
    """One day-before-draw reminder queued for a contact about a raffle: the row that makes
    the reminder task safe to run twice (messaging.bot.draw_reminders)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    raffle = models.ForeignKey("raffles.Raffle", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["raffle", "contact"], name="draw_reminder_once")
        ]

    def __str__(self) -> str:
        return f"Draw reminder of raffle {self.raffle_id} to {self.contact_id}"


# The inbox's own records (read markers, notes, canned replies) live in their own module.
from messaging.inbox_models import CannedReply, ConversationNote, ConversationRead  # noqa: E402
from messaging.pay_link_models import PayLinkQueued  # noqa: E402
from messaging.staff_models import StaffNumber  # noqa: E402

__all__ = [
    "CannedReply",
    "Contact",
    "ConversationNote",
    "ConversationRead",
    "DrawReminder",
    "FaqEntry",
    "InboundMessage",
    "MessageStatus",
    "OutboundMedia",
    "OutboundMessage",
    "PayLinkQueued",
    "SendRateSlot",
    "StaffNumber",
    "WebhookDelivery",
    "WebhookEvent",
]
