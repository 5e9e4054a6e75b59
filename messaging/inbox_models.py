"""The inbox's records: what each staff member has seen of a conversation, internal notes
(never sent to the buyer) and canned replies (per language). Rules: messaging.inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConversationRead(models.Model):
    """One staff member's read marker in one conversation: the newest inbound message they
    have seen. Messages after it are unread for them."""

    contact = models.ForeignKey("messaging.Contact", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_inbound_id = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "user"], name="conversation_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.contact_id} up to {self.seen_inbound_id}"


class ConversationNote(models.Model):
    """A note staff leave in a conversation for each other: shown in the thread, never sent."""

    contact = models.ForeignKey("messaging.Contact", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.contact_id}"


class CannedReply(models.Model):
    """A ready answer staff insert into the reply box; the buyer's language picks the text
    (English when that language has none)."""

    LANGUAGES = ("en", "es", "pt")

    title = models.CharField(_("title"), max_length=80)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    text_pt = models.TextField(_("text (Portuguese)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str) -> str:
        """The text in `language` (en, es, pt, pt-br…), else English, else any."""
        code = (language or "en").lower()[:2]
        texts = {c: getattr(self, f"text_{c}").strip() for c in self.LANGUAGES}
        return texts.get(code) or texts["en"] or next((t for t in texts.values() if t), "")
