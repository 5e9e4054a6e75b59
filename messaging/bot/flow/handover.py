"""Handover to a person: the buyer asks for one, the bot pauses for this contact and says so
(and, outside opening hours, when a person will answer).

While paused the bot answers only two things (`paused`): a payment proof still goes to the
buyer's waiting order (the hold is then kept while staff review it), and "menu" (or the
*Back to the bot* button) gives the conversation back to the bot. Everything else is left for
the person. Staff resume it too, and the sweeper ends a quiet handover
(messaging.services.set_bot_paused, end_quiet_handovers)."""

from __future__ import annotations

from messaging.bot.flow import buyer_text, screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import AttachProof, PauseBot, ResumeBot
from messaging.bot.flow.events import InboundEvent, Kind
from messaging.bot.flow.states import PROOF_TYPES, START

# What a paused buyer types to go back to the bot (folded: no accents, lower case). Not the
# greetings: "hola" is said to the person.
RESUME_WORDS = frozenset(
    {
        "menu",
        "main menu",
        "menu principal",
        "bot",
        "back to the bot",
        "back to bot",
        "volver",
        "volver al bot",
        "volver al menu",
        "regresar",
        "voltar",
        "voltar ao bot",
        "voltar para o bot",
        "voltar ao menu",
    }
)
RESUME_IDS = frozenset({"menu"})


def is_resume(event: InboundEvent) -> bool:
    if event.kind in (Kind.BUTTON, Kind.LIST):
        return event.reply_id in RESUME_IDS
    if event.kind == Kind.TEXT and len(event.text or "") <= buyer_text.MAX_TEXT:
        return buyer_text.words(event.text) in RESUME_WORDS
    return False


class Handover(ConversationBase):
    def handover(self) -> Turn:
        return self.out(screens.agent(self.q.support_opens_at), START, {}, (PauseBot(),))

    def paused(self, event: InboundEvent) -> Turn | None:
        """The bot's answer while a person has the conversation, or None: stay quiet."""
        if is_resume(event):
            menu = self.menu()
            return self.out(
                screens.lead(screens.back_with_the_bot(), menu.replies),
                menu.state,
                menu.context,
                (ResumeBot(),),
            )
        if event.kind == Kind.MEDIA and event.media is not None and event.media.ok:
            mime = (event.media.mime_type or "").split(";")[0].strip()
            order = self.proof_target()
            if mime in PROOF_TYPES and order is not None:
                return self.effect(AttachProof(order.code, event.media))
        return None  # unreadable files and media without an order are for the person
