"""Outbound WhatsApp messages that are failing or did not go out, why, and a Re-send button.
The rule (what can be re-sent, the audit) lives in messaging.channel.resend."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from messaging import selectors
from messaging.channel import resend
from messaging.models import OutboundMessage
from portal.components.base import StaffComponent, requires
from portal.roles import Perm

SHOWN = 200
FILTERS = ("", "failing", "failed", "undeliverable", "dropped")


class OutboxView(StaffComponent):
    _permission = Perm.VIEW_OUTBOX
    status: str = ""  # one of FILTERS; "" shows them all
    notice: str = ""

    @requires(Perm.VIEW_OUTBOX)
    def show(self, status: str) -> None:
        self.status = status if status in FILTERS else ""
        self.notice = ""

    @requires(Perm.RESEND_OUTBOX)
    def resend(self, row_id: int) -> None:
        self.notice = ""
        row = resend.resend_message(int(row_id), by=self.request.user, via="portal")
        self.notice = _("Message %(id)s queued again (now %(status)s).") % {
            "id": row.pk,
            "status": row.get_status_display(),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.outbox_problems(status=self.status)[:SHOWN]
        context["filters"] = FILTERS
        context["resendable"] = OutboundMessage.UNSENT_STATUSES
        return context
