"""Chat with the bot as a pretend buyer: every message is a signed, Meta-shaped webhook
delivery through the real webhook (portal.simulator); the bot's replies are the contact's
OutboundMessage rows (recorded as sent in sandbox mode), shown as WhatsApp would, with
tappable buttons and list rows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from messaging.models import OutboundMessage
from portal import conversations, simulator
from portal.components.base import StaffComponent, requires
from portal.roles import Perm


class SimulatorView(StaffComponent):
    _permission = Perm.USE_SIMULATOR
    wa_id: str = ""
    name: str = "Test Buyer"
    notice: str = ""

    def mount(self) -> None:
        if not self.wa_id:
            wanted = getattr(self.request, "GET", {}).get("wa", "")
            try:
                self.wa_id = simulator.clean_wa_id(wanted) if wanted else ""
            except simulator.SimulatorError:
                self.wa_id = ""
            self.wa_id = self.wa_id or simulator.new_test_number()
        self._take_contact_name()

    def updated(self, name: str, value: Any) -> None:
        if name == "wa_id":
            self._take_contact_name()

    def _take_contact_name(self) -> None:
        """A contact reopened keeps its profile name (else its buyer's): the pretend buyer
        speaks as who they are, never renamed to the default."""
        digits = "".join(ch for ch in self.wa_id if ch.isdigit())
        contact = conversations.contact_by_wa_id(digits) if digits else None
        if contact is not None:
            buyer_name = contact.buyer.name if contact.buyer else ""
            self.name = contact.profile_name or buyer_name or self.name

    def _host(self) -> str:
        try:
            host: str = self.request.get_host()  # django_unicorn's request is untyped
            return host
        except Exception:  # the host header is checked by the real request anyway
            return ""

    @requires(Perm.USE_SIMULATOR)
    def send(self, text: str = "") -> None:
        """Send a text. The text is an argument (not a synced field), so the chat can poll
        while the tester types."""
        text = str(text or "").strip()[:4096]
        if not text:
            self.field_errors = {"text": _("Type a message.")}
            return
        wa_id = simulator.clean_wa_id(self.wa_id)
        simulator.deliver(simulator.text_payload(wa_id, self.name, text), host=self._host())

    @requires(Perm.USE_SIMULATOR)
    def tap(self, message_id: int, index: int) -> None:
        """Tap button or list row `index` of the bot's message `message_id`."""
        wa_id = simulator.clean_wa_id(self.wa_id)
        contact = conversations.contact_by_wa_id(wa_id)
        row = OutboundMessage.objects.filter(pk=int(message_id), contact=contact).first()
        if row is None:
            self.error = _("That message is not in this conversation.")
            return
        message = conversations.outbound_message(row)
        index = int(index)
        if not 0 <= index < len(message.choices):
            self.error = _("That choice is not in the message.")
            return
        choice = message.choices[index]
        if row.kind == OutboundMessage.Kind.LIST:
            payload = simulator.list_reply_payload(
                wa_id,
                self.name,
                choice["id"],
                choice["title"],
                choice.get("description", ""),
                context_id=row.wa_message_id,
            )
        else:
            payload = simulator.button_reply_payload(
                wa_id, self.name, choice["id"], choice["title"], context_id=row.wa_message_id
            )
        simulator.deliver(payload, host=self._host())

    @requires(Perm.USE_SIMULATOR)
    def new_buyer(self) -> None:
        self.wa_id = simulator.new_test_number()
        self.notice = _("New pretend buyer +%(number)s.") % {"number": self.wa_id}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        digits = "".join(ch for ch in self.wa_id if ch.isdigit())
        contact = conversations.contact_by_wa_id(digits) if digits else None
        context.update(
            contact=contact,
            chat=conversations.contact_messages(contact) if contact else [],
            sandbox=settings.WHATSAPP_SANDBOX,
        )
        return context
