"""Handover to a person: the buyer asks for one, the bot pauses for this contact and says so.
Staff resume it (messaging.services.set_bot_paused)."""

from __future__ import annotations

from messaging.bot.flow import screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import PauseBot
from messaging.bot.flow.states import START


class Handover(ConversationBase):
    def handover(self) -> Turn:
        return self.out(screens.agent(), START, {}, (PauseBot(),))
