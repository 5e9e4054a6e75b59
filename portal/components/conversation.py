"""One conversation: the chat history with delivery statuses and internal notes; a manual
reply (only inside the 24-hour customer-service window, with the time left shown), canned
replies in the buyer's language, a file; an approved template once the window has closed;
assignment and open/resolved; pause and resume the bot; retry a buyer's message whose
handling failed (parked). Opening it marks the buyer's messages read for this staff member.
Writes go through messaging.services and messaging.inbox."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from messaging import inbox
from messaging import services as messaging_services
from messaging.exceptions import MessagingError
from messaging.models import Contact
from portal import conversations
from portal.components.base import StaffComponent, requires
from portal.roles import Perm, user_can


class ConversationView(StaffComponent):
    _permission = Perm.VIEW_CONVERSATIONS
    contact_id: int = 0
    notice: str = ""
    assignee: str = ""
    template_key: str = ""

    def _contact(self) -> Contact:
        return Contact.objects.select_related("buyer", "assigned_to").get(pk=self.contact_id)

    def mount(self) -> None:
        if self.contact_id:
            inbox.mark_seen(self._contact(), self.request.user)

    def refresh(self) -> None:
        """A live refresh: what arrived while the page is open is seen."""
        if self.contact_id:
            inbox.mark_seen(self._contact(), self.request.user)

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
    def note(self, text: str = "") -> None:
        try:
            inbox.add_note(self._contact(), str(text or ""), by=self.request.user)
        except MessagingError as exc:
            self.field_errors = {"note": exc.message}
            return
        self.notice = _("Note added (only staff see it).")

    @requires(Perm.REPLY_CONVERSATIONS)
    def assign_me(self) -> None:
        inbox.assign(self._contact(), self.request.user, by=self.request.user)
        self.assignee = str(self.request.user.pk)
        self.notice = _("Assigned to you.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def assign(self) -> None:
        """Assign to the staff member chosen in the list (empty: nobody)."""
        user = None
        if str(self.assignee).isdigit():
            user = get_user_model().objects.filter(pk=int(self.assignee)).first()
        inbox.assign(self._contact(), user, by=self.request.user)
        self.notice = _("Assignment saved.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def resolve(self) -> None:
        inbox.set_resolved(self._contact(), True, by=self.request.user)
        self.notice = _("Resolved: a new message from the buyer opens it again.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def reopen(self) -> None:
        inbox.set_resolved(self._contact(), False, by=self.request.user)
        self.notice = _("Opened again.")

    @requires(Perm.REPLY_CONVERSATIONS)
    def send_template(self, values: str = "") -> None:
        """The template chosen in the list, its values one per line."""
        contact = self._contact()
        key = str(self.template_key or "")
        if not key:  # the list shows the first one chosen
            key = next((c.key for c in inbox.template_choices(contact)), "")
        try:
            inbox.send_staff_template(
                contact,
                key,
                str(values or "").splitlines(),
                by=self.request.user,
            )
        except MessagingError as exc:
            self.field_errors = {"template": exc.message}
            return
        self.notice = _("Template queued.")

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
        choices = inbox.template_choices(contact)
        if not self.template_key and choices:
            self.template_key = choices[0].key
        if not self.assignee and contact.assigned_to_id:
            self.assignee = str(contact.assigned_to_id)
        context.update(
            contact=contact,
            me=self.request.user.pk,
            can_reply=user_can(self.request.user, Perm.REPLY_CONVERSATIONS),
            state_label=conversations.state_label(contact.state),
            chat=conversations.contact_messages(contact, notes=True),
            window_left=conversations.window_left(contact),
            orders=list(buyer.orders.select_related("raffle")[:10]) if buyer is not None else [],
            staff=list(
                get_user_model()
                .objects.filter(is_active=True, is_staff=True)
                .order_by("username")[:200]
            ),
            canned=inbox.canned_replies(contact.language),
            templates=choices,
            chosen_template=next((c for c in choices if c.key == self.template_key), None),
        )
        return context
