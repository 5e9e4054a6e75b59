"""One conversation: the chat history with delivery statuses; a manual reply (only inside the
24-hour customer-service window, with the time left shown); pause and resume the bot; retry a
buyer's message whose handling failed (parked). Writes go through messaging.services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from messaging import services as messaging_services
from messaging.exceptions import MessagingError
from messaging.models import Contact
from portal import conversations
from portal.components.base import StaffComponent, requires
from portal.roles import Perm


class ConversationView(StaffComponent):
    _permission = Perm.VIEW_CONVERSATIONS
    contact_id: int = 0
    notice: str = ""

    def _contact(self) -> Contact:
        return Contact.objects.select_related("buyer").get(pk=self.contact_id)

    @requires(Perm.REPLY_CONVERSATIONS)
    def pause(self) -> None:
        messaging_services.set_bot_paused(self._contact(), True, by=self.request.user)
        self.notice = _("Bot paused: it stays silent with this contact until you resume it.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def resume(self) -> None:
        messaging_services.set_bot_paused(self._contact(), False, by=self.request.user)
        self.notice = _("Bot resumed.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def reply(self, text: str = "") -> None:
        text = str(text or "").strip()
        if not text:
            self.field_errors = {"reply": _("Type a reply.")}
            return
        try:
            messaging_services.send_staff_reply(self._contact(), text, by=self.request.user)
        except MessagingError as exc:
            self.field_errors = {"reply": exc.message}
            return
        self.notice = _("Reply queued.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def retry(self, message_id: int = 0) -> None:
        """Queue a parked (failed) message of this contact again."""
        messaging_services.retry_inbound_message(
            int(message_id), contact_id=self.contact_id, by=self.request.user
        )
        self.notice = _("Message queued again: the bot handles it now.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.contact_id:
            context["contact"] = None
            return context
        contact = self._contact()
        buyer = contact.buyer  # loaded with the contact
        context.update(
            contact=contact,
            chat=conversations.contact_messages(contact),
            window_left=conversations.window_left(contact),
            orders=list(buyer.orders.select_related("raffle")[:10]) if buyer is not None else [],
        )
        return context
