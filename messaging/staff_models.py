"""Staff members' own WhatsApp numbers, from which they approve or reject payment proofs
(`messaging.staff_approvals`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffNumber(models.Model):
    """One staff member's WhatsApp number (E.164 digits, no "+"), the sender id that the
    webhook reports for her messages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="whatsapp_number",
        verbose_name=_("user"),
    )
    wa_id = models.CharField(_("WhatsApp number"), max_length=32, unique=True)
    on_duty = models.BooleanField(_("on duty"), default=True)

    class Meta:
        verbose_name = _("staff WhatsApp number")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.wa_id}"
