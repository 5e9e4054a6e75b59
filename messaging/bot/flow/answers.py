"""Everyday messages (flow.intents): what the bot answers to a payment-status question,
thanks, price, prizes, draw date, "my numbers", a person, opt-out, help, and staff FAQ entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation

from messaging.bot.flow import intents, screens
from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import OptOut
from messaging.bot.flow.intents import Intent
from messaging.bot.flow.screens import answers
from messaging.bot.flow.snapshots import OrderView, RaffleView
from messaging.bot.flow.states import ORDER_STATES, REVIEW


class Answers(ConversationBase):
    """Answers from what the reads can see; never changes an order."""

    if TYPE_CHECKING:  # the other topics; machine.Conversation has them all

        def handover(self) -> Turn: ...
        def free_numbers(self, text: str) -> Turn: ...
        def claim_prize(self) -> Turn: ...
        def tickets(self) -> Turn: ...
        def waiting_order(self) -> OrderView | None: ...
        def waiting(self, order: OrderView, replies: screens.Replies) -> Turn: ...

    def understood(self, text: str) -> Turn | None:
        """The answer to an everyday message, or None when it is not one."""
        found = intents.match(text, self.q.faqs())
        if found is None:
            return None
        if found.faq is not None:
            language = translation.get_language() or "en"
            return self.out(answers.faq(found.faq.answer(language)))
        if found.intent == Intent.FREE_NUMBERS:
            return self.free_numbers(text)
        return self.on_intent(found.intent or Intent.HELP)

    def on_intent(self, intent: Intent) -> Turn:
        match intent:
            case Intent.PAYMENT_STATUS:
                return self.payment_status()
            case Intent.THANKS:
                return self.out(answers.you_are_welcome())
            case Intent.PRICE:
                return self.out(answers.prices(self.about(), self.waiting_order()))
            case Intent.DRAW_DATE:
                return self.out(answers.draw_dates(self.about()))
            case Intent.PRIZES:
                return self.out(answers.prizes(self.about()))
            case Intent.VERIFY:
                return self.out(screens.verification(self.about()))
            case Intent.MY_NUMBERS:
                return self.tickets()
            case Intent.HUMAN:
                return self.handover()
            case Intent.CLAIM:
                return self.claim_prize()
            case Intent.OPT_OUT:
                return self.out(answers.opted_out(), effects=(OptOut(),))
            case Intent.OPT_IN:
                return self.out(answers.opted_in(), effects=(OptOut(opted_out=False),))
        return self.out(screens.help_text(self.state))

    def payment_status(self) -> Turn:
        """ "Did you get my payment?": the order under review, else the one waiting for
        payment (what to do), else her paid tickets or that nothing waits for payment."""
        live = [o for o in self.q.live_orders() if not o.hold_expired(self.q.now)]
        current = self.ctx_order() if self.state in ORDER_STATES else None
        if current is not None and current.is_live:
            live = [current, *live]
        reviewing = next((o for o in live if o.proof_received), None)
        order = self.waiting_order()
        if order is None and reviewing is not None:
            context = {"raffle": reviewing.raffle_id, "order": reviewing.code}
            return self.out(screens.already_reviewing(reviewing), REVIEW, context)
        if order is not None:
            return self.waiting(order, screens.payment_note(order))
        if self.q.paid_tickets():
            return self.tickets()
        return self.out(screens.note_without_order())

    def about(self) -> list[RaffleView]:
        """The raffle the buyer is on, else the raffles on sale."""
        raffle_id = self.ctx.get("raffle")
        raffle = self.q.raffle(raffle_id) if raffle_id else None
        if raffle is not None:
            return [raffle]
        raffles, _total = self.selling()
        return list(raffles)
