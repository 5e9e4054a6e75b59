"""The channel's stand-in conversation, for the channel's own tests: mark read, acknowledge
texts. With it (WHATSAPP_INBOUND_HANDLER, or the `echo_handler` fixture) the channel is
tested without the bot."""

from __future__ import annotations

from messaging.channel import outbox
from messaging.models import InboundMessage

ACKNOWLEDGEMENT = "Thanks, we got your message"


def echo_inbound(message: InboundMessage) -> None:
    if message.type == "system":
        return
    outbox.queue_read(message)
    if message.type == "text" and not message.contact.bot_paused:
        outbox.queue_text(message.contact, ACKNOWLEDGEMENT)
