"""The conversation as a pure function.

    handle(state, context, event, queries) -> Turn(state, context, replies, effects)
    handle_paused(state, context, event, queries) -> Turn | None   (a person has it)
    settle(state, context, effect, result, queries) -> Turn

`handle` reads through `queries` (no ORM here) and either answers at once or asks for one
domain effect (reserve, cancel, attach a proof). The runner runs it and gives the result (an
OrderView, or the RaffleError it raised) to `settle`, which writes the answer. Both always
return at least one reply for the buyer (except to a reaction, `SILENT_TYPES`), never raise
on any input, and keep the state and context valid (`is_valid`).

The topics live in their own modules (browse, numbers, orders, handover); the states and their
context in states.py. This module dispatches each event to them.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from messaging.bot.flow import buyer_text, intents, money_text, screens
from messaging.bot.flow.answers import Answers
from messaging.bot.flow.board import FreeNumbers
from messaging.bot.flow.browse import Browse
from messaging.bot.flow.buyer_text import Command, ReplyAction
from messaging.bot.flow.claims import Claims
from messaging.bot.flow.conversation import Turn
from messaging.bot.flow.coupons import Coupons
from messaging.bot.flow.effects import ApplyCoupon, Cancel, DomainEffect, Reserve, SetLanguage
from messaging.bot.flow.events import InboundEvent, Kind, Media
from messaging.bot.flow.handover import Handover
from messaging.bot.flow.numbers import ChooseNumbers
from messaging.bot.flow.orders import Orders
from messaging.bot.flow.replies import Greeting
from messaging.bot.flow.screens.claims import CLAIM_ID
from messaging.bot.flow.snapshots import OrderView, Queries
from messaging.bot.flow.states import (
    CONFIRM,
    PAYMENT,
    RAFFLE,
    START,
    STATES,
    clean,
    is_valid,
)

# Messages answered with silence (documented in docs/bot.md): a reaction to one of our messages.
SILENT_TYPES = frozenset({"reaction"})

__all__ = ["STATES", "Turn", "clean", "handle", "handle_paused", "is_valid", "settle"]


def handle(
    state: str,
    context: dict[str, Any],
    event: InboundEvent,
    q: Queries,
    *,
    first_contact: bool = False,
) -> Turn:
    state, context = clean(state, context)
    conv = Conversation(state, context, q)
    conv.forget_closed_order()
    return conv.on_event(event, first_contact=first_contact)


def handle_paused(
    state: str, context: dict[str, Any], event: InboundEvent, q: Queries
) -> Turn | None:
    """While a person has the conversation: the bot's answer, or None to stay quiet (see
    handover.Handover.paused)."""
    state, context = clean(state, context)
    conv = Conversation(state, context, q)
    conv.forget_closed_order()
    return conv.paused(event)


def settle(
    state: str,
    context: dict[str, Any],
    effect: DomainEffect,
    result: OrderView | Exception,
    q: Queries,
) -> Turn:
    state, context = clean(state, context)
    conv = Conversation(state, context, q)
    if isinstance(effect, Reserve):
        return conv.after_reserve(effect, result)
    if isinstance(effect, Cancel):
        return conv.after_cancel(effect, result)
    if isinstance(effect, ApplyCoupon):
        return conv.after_coupon(effect, result)
    return conv.after_proof(effect, result)


# --- The conversation --------------------------------------------------------------------------


class Conversation(Browse, ChooseNumbers, Orders, Handover, Answers, FreeNumbers, Claims, Coupons):
    """Dispatch: which topic answers an event."""

    def on_event(self, event: InboundEvent, *, first_contact: bool) -> Turn:
        self.first = first_contact
        if event.kind in (Kind.BUTTON, Kind.LIST):
            return self.on_reply(event)
        if event.kind == Kind.MEDIA:
            return self.on_media(event.media or Media(ok=False))
        if event.kind == Kind.OTHER:
            if event.type in SILENT_TYPES:
                return self.out(())  # a reaction asks nothing: no answer, nothing changes
            return self.stay(screens.other_kind(event.type))
        text = event.text or ""
        if buyer_text.is_blank(text):
            if first_contact:
                return self.menu()
            return self.stay(screens.blank(text))
        if len(text) > buyer_text.MAX_TEXT:
            return self.stay(screens.too_long())
        request = buyer_text.parse(text)
        if first_contact and request not in buyer_text.LANGUAGE_COMMANDS:
            return self.first_message(text, request)
        return self.on_text(text, request)

    def first_message(self, text: str, request: buyer_text.Request | None) -> Turn:
        """The welcome, folded into the answer when the first message already says what the
        buyer wants (numbers, "2 random", a raffle's name)."""
        asks_free = intents.match_intent(text) == intents.Intent.FREE_NUMBERS
        if request in (None, Command.MENU) and asks_free:
            turn = self.free_numbers(text)
        elif request is None or request == Command.MENU:
            named = self.named_request(text) if request is None else None
            raffle = self.named_raffle(text)
            if named is not None:
                turn = named
            elif raffle is None:
                return self.menu()
            else:
                turn = self.pick_raffle(raffle.id)
        else:
            turn = self.on_text(text, request)
        greeting = Greeting(screens.welcome_line(self.q.buyer_name))
        return Turn(turn.state, turn.context, (greeting, *turn.replies), turn.effects)

    def on_text(self, text: str, request: buyer_text.Request | None) -> Turn:
        if not isinstance(request, Command):
            # Money or a payment note is never read as numbers to reserve.
            waiting = self.waiting_order()
            kind = money_text.classify(text, due=waiting.total if waiting else None)
            if kind is not None:
                return self.on_money(kind)
        if request is None:
            # A raffle's name with numbers ("Bike 5 12"), everyday messages ("did you get my
            # payment?", "gracias"), then staff FAQs.
            return (
                self.named_request(text)
                or self.understood(text)
                or self.stay(screens.unknown(text))
            )
        return self.on_request(request)

    def on_reply(self, event: InboundEvent) -> Turn:
        if event.reply_id == CLAIM_ID:
            return self.claim_prize()
        action = buyer_text.parse_reply_id(event.reply_id)
        if action is None:
            # Not one of our ids (a template's quick-reply button): read its title as text.
            request = buyer_text.parse(event.text) if event.text else None
            if request is None:
                return self.stay(screens.stale_button())
            return self.on_request(request)
        if isinstance(action, Command):
            return self.on_command(action)
        return self.on_action(action)

    def on_request(self, request: buyer_text.Request) -> Turn:
        if isinstance(request, Command):
            return self.on_command(request)
        if isinstance(request, buyer_text.RandomRequest):
            return self.random(None, request.qty)
        if isinstance(request, buyer_text.NumbersRequest):
            if self.state == RAFFLE and self.ctx.get("ask") == "qty" and len(request.numbers) == 1:
                return self.random(None, request.numbers[0])
            return self.numbers(None, request.numbers, typed=True, confirm=request.ranged)
        if isinstance(request, buyer_text.QuantityOrNumber):
            return self.quantity_or_number(request.value)
        if isinstance(request, buyer_text.CouponRequest):
            return self.coupon(request.code)
        return self.too_many(request.count)

    def on_command(self, command: Command) -> Turn:
        match command:
            case Command.MENU:
                return self.menu()
            case Command.RAFFLES:
                return self.raffles(1)
            case Command.HELP:
                return self.out(screens.help_text(self.state))
            case Command.BACK:
                return self.back()
            case Command.CANCEL:
                return self.cancel_command()
            case Command.TICKETS:
                return self.tickets()
            case Command.AGENT:
                return self.handover()
            case Command.RESULTS:
                raffles, _total = self.selling()
                return self.out(screens.results(self.q.results(), raffles))
            case Command.CONFIRM:
                if self.state == CONFIRM:
                    return self.confirm(self.ctx["order"])
                return self.confirm_elsewhere()
            case Command.PAY:
                return self.pay("")
            case Command.ENGLISH | Command.SPANISH | Command.PORTUGUESE:
                return self.switch_language(buyer_text.LANGUAGE_CODES[command])
        return self.stay()  # pragma: no cover - every command is matched above

    def on_action(self, action: ReplyAction) -> Turn:
        rid = action.raffle_id
        match action.verb:
            case "page":
                return self.raffles(action.value or 1)
            case "raffle":
                return self.pick_raffle(rid or 0)
            case "pick":
                return self.ask(rid or 0, "numbers")
            case "qty":
                return self.ask(rid or 0, "qty")
            case "random":
                return self.random(rid, action.value)
            case "take":
                return self.numbers(rid, action.numbers, typed=False)
            case "change" | "add":
                change, add = (action.code, False) if action.verb == "change" else ("", True)
                beside = action.code if add else ""
                if action.numbers:
                    return self.numbers(
                        rid, action.numbers, typed=False, change=change, add=add, beside=beside
                    )
                return self.random(rid, action.value, change=change, add=add, beside=beside)
            case "confirm":
                return self.confirm(action.code)
            case "cancel":
                return self.cancel_order(action.code)
            case "keep":
                order = self.q.order(action.code)
                if order is None or not order.is_live or order.proof_received:
                    return self.confirm(action.code)
                return self.out(
                    screens.kept(order, self.q.now),
                    PAYMENT,
                    {"raffle": order.raffle_id, "order": order.code},
                )
            case "pay":
                return self.pay(action.code)
        return self.stay(screens.stale_button())

    def switch_language(self, code: str) -> Turn:
        """Write in another language from now on, where the buyer was (the raffle list, the
        order in progress...), shown again in the new language."""
        with translation.override(code):
            said = screens.language_said()
            if self.state == START:
                raffles, total = self.selling()
                shown = screens.main_menu(
                    self.q.buyer_name, raffles, total, self.q.live_orders(), welcome=False
                )
            else:
                shown = self.prompt()
            replies = screens.lead(said, shown)
        return self.out(replies, effects=(SetLanguage(code),))

    # --- Navigation ---------------------------------------------------------------------------

    def back(self) -> Turn:
        if self.state == RAFFLE:
            if self.ctx.get("ask") or self.ctx.get("offer"):
                return self.pick_raffle(self.ctx["raffle"])
            return self.raffles(1)
        if self.state == PAYMENT:
            order = self.ctx_order()
            if order is not None and order.is_live and not order.hold_expired(self.q.now):
                return self.out(screens.reserved(order, self.q.now), CONFIRM)
        if self.state in (CONFIRM, PAYMENT):
            return self.stay()
        return self.menu()
