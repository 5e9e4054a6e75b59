"""The channel's one call into the conversation: the inverted hook.

The channel knows nothing of the bot. For each stored inbound message, in order per contact,
`processing` calls `handle_inbound(message)` inside the transaction that marks the message
processed, and that calls the function named by the WHATSAPP_INBOUND_HANDLER setting (the
bot's `messaging.bot.handlers.handle_inbound` by default). The name is looked up on every
call, so a test that replaces the function on its module, or changes the setting, is heard.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from messaging.models import InboundMessage


def handler() -> Callable[[InboundMessage], None]:
    handle: Callable[[InboundMessage], None] = import_string(settings.WHATSAPP_INBOUND_HANDLER)
    return handle


def handle_inbound(message: InboundMessage) -> None:
    handler()(message)
