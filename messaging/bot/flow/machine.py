"""The conversation as a pure function.

    handle(state, context, event, queries) -> Turn(state, context, replies, effects)
    settle(state, context, effect, result, queries) -> Turn

`handle` reads through `queries` (no ORM here) and either answers at once or asks for one
domain effect (reserve, cancel, attach a proof). The runner runs it and gives the result (an
OrderView, or the RaffleError it raised) to `settle`, which writes the answer. Both always
return at least one reply for the buyer, never raise on any input, and keep the state and
context valid (`is_valid`).

States (context keys):
    start                  main menu, nothing in progress   (want)
    browsing               the raffle list was shown        (page, want)
    raffle                 a raffle was picked              (raffle, ask, offer)
    confirm                numbers reserved, not confirmed  (raffle, order)
    payment                confirmed, waiting for a proof   (raffle, order)
    review                 proof sent, staff review it      (raffle, order)

`want` keeps a request typed before a raffle was chosen ("random 2" with several raffles on
sale): picking the raffle then reserves straight away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from messaging.bot.flow import buyer_text, screens
from messaging.bot.flow.buyer_text import Command, ReplyAction
from messaging.bot.flow.effects import (
    AttachProof,
    Cancel,
    DomainEffect,
    Effect,
    PauseBot,
    ProofUnreadable,
    Reserve,
    SetLanguage,
)
from messaging.bot.flow.events import InboundEvent, Kind, Media
from messaging.bot.flow.replies import Reply
from messaging.bot.flow.snapshots import OrderView, Queries, RaffleView
from raffles import exceptions as errors

START = "start"
BROWSING = "browsing"
RAFFLE = "raffle"
CONFIRM = "confirm"
PAYMENT = "payment"
REVIEW = "review"
STATES = (START, BROWSING, RAFFLE, CONFIRM, PAYMENT, REVIEW)
ORDER_STATES = (CONFIRM, PAYMENT, REVIEW)
ALLOWED_KEYS: dict[str, frozenset[str]] = {
    START: frozenset({"want"}),
    BROWSING: frozenset({"page", "want"}),
    RAFFLE: frozenset({"raffle", "ask", "offer"}),
    CONFIRM: frozenset({"raffle", "order"}),
    PAYMENT: frozenset({"raffle", "order"}),
    REVIEW: frozenset({"raffle", "order"}),
}
PROOF_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
MAX_WANT = 100
MAX_OFFER = 20


@dataclass(frozen=True)
class Turn:
    state: str
    context: dict[str, Any]
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default=())

    @property
    def domain_effect(self) -> DomainEffect | None:
        return next(
            (e for e in self.effects if isinstance(e, Reserve | Cancel | AttachProof)), None
        )


# --- State and context validity -------------------------------------------------------------


def _int(value: Any, minimum: int = 0) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return None


def _clean_want(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    qty = _int(value.get("qty"), 1)
    if qty is not None and set(value) == {"qty"}:
        return {"qty": qty}
    numbers = value.get("numbers")
    if (
        set(value) == {"numbers"}
        and isinstance(numbers, list)
        and 0 < len(numbers) <= MAX_WANT
        and all(_int(n) is not None for n in numbers)
    ):
        return {"numbers": list(numbers)}
    return None


def clean(state: Any, context: Any) -> tuple[str, dict[str, Any]]:
    """A valid (state, context) from whatever was stored: unknown parts are dropped, and a
    state missing what it needs falls back to `start`."""
    if state not in STATES or not isinstance(context, dict):
        return START, {}
    out: dict[str, Any] = {}
    raffle = _int(context.get("raffle"), 1)
    if raffle is not None:
        out["raffle"] = raffle
    order = context.get("order")
    if isinstance(order, str) and 0 < len(order) <= 12 and order.isalnum():
        out["order"] = order
    page = _int(context.get("page"), 1)
    if page is not None:
        out["page"] = page
    if context.get("ask") in {"numbers", "qty"}:
        out["ask"] = context["ask"]
    offer = context.get("offer")
    if (
        isinstance(offer, list)
        and 0 < len(offer) <= MAX_OFFER
        and all(_int(n) is not None for n in offer)
    ):
        out["offer"] = list(offer)
    want = _clean_want(context.get("want"))
    if want is not None:
        out["want"] = want
    if state == RAFFLE and "raffle" not in out:
        return START, {}
    if state in ORDER_STATES and ("raffle" not in out or "order" not in out):
        return START, {}
    allowed = ALLOWED_KEYS[state]
    return state, {k: v for k, v in out.items() if k in allowed}


def is_valid(state: Any, context: Any) -> bool:
    return (state, context) == clean(state, context)


# --- Entry points -------------------------------------------------------------------------------


def handle(
    state: str,
    context: dict[str, Any],
    event: InboundEvent,
    q: Queries,
    *,
    first_contact: bool = False,
) -> Turn:
    state, context = clean(state, context)
    conv = _Conversation(state, context, q)
    conv.forget_closed_order()
    return conv.on_event(event, first_contact=first_contact)


def settle(
    state: str,
    context: dict[str, Any],
    effect: DomainEffect,
    result: OrderView | Exception,
    q: Queries,
) -> Turn:
    state, context = clean(state, context)
    conv = _Conversation(state, context, q)
    if isinstance(effect, Reserve):
        return conv.after_reserve(effect, result)
    if isinstance(effect, Cancel):
        return conv.after_cancel(effect, result)
    return conv.after_proof(effect, result)


# --- The conversation --------------------------------------------------------------------------


class _Conversation:
    def __init__(self, state: str, context: dict[str, Any], q: Queries) -> None:
        self.state = state
        self.ctx = context
        self.q = q
        self.first = False  # the contact's first message: the prompt is the welcome

    def forget_closed_order(self) -> None:
        """A paid or cancelled order (staff acted meanwhile) is no longer "in progress"."""
        if self.state in ORDER_STATES:
            order = self.ctx_order()
            if order is None or order.status in ("PAID", "CANCELLED"):
                self.state, self.ctx = START, {}

    # Turn helpers
    def out(
        self,
        replies: Sequence[Reply],
        state: str | None = None,
        context: dict[str, Any] | None = None,
        effects: Sequence[Effect] = (),
    ) -> Turn:
        new_state = self.state if state is None else state
        new_ctx = dict(self.ctx) if context is None else context
        new_state, new_ctx = clean(new_state, new_ctx)
        return Turn(new_state, new_ctx, tuple(replies), tuple(effects))

    def effect(self, effect: Effect) -> Turn:
        return Turn(self.state, dict(self.ctx), (), (effect,))

    def stay(self, lead: str = "") -> Turn:
        return self.out(screens.lead(lead, self.prompt()))

    # Reads
    def selling(self, page: int = 1) -> tuple[Sequence[RaffleView], int]:
        """One page of the raffles on sale (all of them when they fit in one list)."""
        _none, total = self.q.selling_raffles(0, 0)  # just the count: views cost queries
        if total <= screens.MAX_ROWS:
            return self.q.selling_raffles(0, screens.MAX_ROWS)
        size = screens.PAGE_SIZE
        page = min(max(page, 1), screens.page_count(total))
        return self.q.selling_raffles((page - 1) * size, size)

    def ctx_order(self) -> OrderView | None:
        code = self.ctx.get("order")
        return self.q.order(code) if code else None

    # Dispatch
    def on_event(self, event: InboundEvent, *, first_contact: bool) -> Turn:
        self.first = first_contact
        if event.kind in (Kind.BUTTON, Kind.LIST):
            return self.on_reply(event)
        if event.kind == Kind.MEDIA:
            return self.on_media(event.media or Media(ok=False))
        if event.kind == Kind.OTHER:
            return self.stay(screens.other_kind(event.type))
        text = event.text or ""
        if buyer_text.is_blank(text):
            if first_contact:
                return self.menu()
            return self.stay(screens.blank(text))
        if len(text) > buyer_text.MAX_TEXT:
            return self.stay(screens.too_long())
        request = buyer_text.parse(text)
        if first_contact and request not in (Command.ENGLISH, Command.SPANISH):
            return self.menu()
        if request is None:
            return self.stay(screens.unknown(text))
        return self.on_request(request)

    def on_reply(self, event: InboundEvent) -> Turn:
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
            return self.numbers(None, request.numbers, typed=True)
        if isinstance(request, buyer_text.QuantityOrNumber):
            return self.quantity_or_number(request.value)
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
                return self.out(screens.agent(), START, {}, (PauseBot(),))
            case Command.RESULTS:
                raffles, _total = self.selling()
                return self.out(screens.results(self.q.results(), raffles))
            case Command.CONFIRM:
                if self.state == CONFIRM:
                    return self.confirm(self.ctx["order"])
                return self.stay("👍" if self.state != START else screens.nothing_to_confirm())
            case Command.PAY:
                return self.pay("")
            case Command.ENGLISH | Command.SPANISH:
                code = "en" if command == Command.ENGLISH else "es"
                with translation.override(code):
                    replies = screens.language_set()
                return self.out(replies, effects=(SetLanguage(code),))
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

    # --- Prompts ----------------------------------------------------------------------------

    def prompt(self) -> tuple[Reply, ...]:
        """What the bot is waiting for in this state, with the buttons to go on."""
        if self.state == BROWSING:
            raffles, total = self.selling(self.ctx.get("page", 1))
            if total:
                return (screens.raffle_list(raffles, self.ctx.get("page", 1), total),)
            return screens.no_raffles()
        if self.state == RAFFLE:
            raffle = self.q.raffle(self.ctx["raffle"])
            if raffle is not None and raffle.selling and raffle.left:
                if self.ctx.get("ask") == "qty":
                    return screens.ask_quantity(raffle)
                return screens.ask_numbers(raffle)
        if self.state in ORDER_STATES:
            order = self.ctx_order()
            if order is not None and order.is_live and not order.hold_expired(self.q.now):
                if order.proof_received:
                    return screens.already_reviewing(order)
                if self.state == CONFIRM:
                    return screens.reserved(order, self.q.now)
                return screens.payment(order, self.q.now)
        if self.first:
            raffles, total = self.selling()
            return screens.main_menu(self.q.buyer_name, raffles, total, self.q.live_orders())
        return screens.menu_buttons(_what_now())

    # --- Menu and raffles --------------------------------------------------------------------

    def menu(self) -> Turn:
        raffles, total = self.selling()
        live = self.q.live_orders()
        return self.out(
            screens.main_menu(self.q.buyer_name, raffles, total, live),
            START,
            {},
        )

    def raffles(self, page: int, want: dict[str, Any] | None = None) -> Turn:
        raffles, total = self.selling(page)
        if not total:
            return self.out(screens.no_raffles(), START, {})
        page = min(max(page, 1), screens.page_count(total))
        context: dict[str, Any] = {"page": page}
        if want:
            context["want"] = want
            return self.out(screens.which_raffle(raffles, total), BROWSING, context)
        if want is None and "want" in self.ctx and self.state == BROWSING:
            context["want"] = self.ctx["want"]
        return self.out((screens.raffle_list(raffles, page, total),), BROWSING, context)

    def not_selling(self, raffle: RaffleView | None) -> Turn:
        raffles, total = self.selling()
        state, context = (BROWSING, {"page": 1}) if total else (START, {})
        return self.out(screens.not_selling(raffle, raffles, total), state, context)

    def selling_raffle(self, raffle_id: int | None) -> RaffleView | Turn:
        raffle = self.q.raffle(raffle_id) if raffle_id else None
        if raffle is None or not raffle.selling or raffle.left == 0:
            return self.not_selling(raffle)
        return raffle

    def pick_raffle(self, raffle_id: int) -> Turn:
        raffle = self.selling_raffle(raffle_id)
        if isinstance(raffle, Turn):
            return raffle
        want = self.ctx.get("want") if self.state == BROWSING else None
        self.state, self.ctx = RAFFLE, {"raffle": raffle.id}
        if want and "qty" in want:
            return self.random(raffle.id, want["qty"])
        if want and "numbers" in want:
            return self.numbers(raffle.id, tuple(want["numbers"]), typed=False)
        return self.out(screens.raffle_details(raffle))

    def ask(self, raffle_id: int, what: str) -> Turn:
        raffle = self.selling_raffle(raffle_id)
        if isinstance(raffle, Turn):
            return raffle
        replies = screens.ask_quantity(raffle) if what == "qty" else screens.ask_numbers(raffle)
        return self.out(replies, RAFFLE, {"raffle": raffle.id, "ask": what})

    def resolve_raffle(self, raffle_id: int | None, want: dict[str, Any]) -> RaffleView | Turn:
        """The raffle a request is for: the one given, the one in context, the only one on
        sale; otherwise ask which (keeping the request to carry it out after the pick)."""
        if raffle_id is None and self.state != BROWSING:
            raffle_id = self.ctx.get("raffle")
        if raffle_id is None:
            raffles, total = self.selling()
            if total == 1:
                raffle_id = raffles[0].id
            elif total == 0:
                return self.out(screens.no_raffles(), START, {})
            else:
                return self.raffles(1, want=want)
        return self.selling_raffle(raffle_id)

    def replace_code(self, raffle: RaffleView) -> str:
        if self.state == CONFIRM and self.ctx.get("raffle") == raffle.id:
            return self.ctx["order"]
        return ""

    # --- Choosing numbers ------------------------------------------------------------------------

    def numbers(self, raffle_id: int | None, numbers: Sequence[int], *, typed: bool) -> Turn:
        if typed and self.state in (PAYMENT, REVIEW):
            order = self.ctx_order()
            if order is not None and order.accepts_proof:
                return self.out(screens.payment_reference(order))
        raffle = self.resolve_raffle(raffle_id, {"numbers": list(numbers)[:MAX_WANT]})
        if isinstance(raffle, Turn):
            return raffle
        stay = {"raffle": raffle.id, "ask": "numbers"}
        repeated = buyer_text.duplicates(numbers)
        if repeated:
            return self.out(screens.duplicate_numbers(raffle, numbers, repeated), RAFFLE, stay)
        bad = sorted(n for n in numbers if not raffle.min_number <= n <= raffle.max_number)
        if bad:
            return self.out(screens.out_of_range(raffle, bad), RAFFLE, stay)
        if len(numbers) > raffle.max_per_order:
            return self.out(screens.too_many(raffle, len(numbers)), RAFFLE, stay)
        return self.effect(
            Reserve(raffle.id, numbers=tuple(sorted(numbers)), replace=self.replace_code(raffle))
        )

    def random(self, raffle_id: int | None, qty: int | None) -> Turn:
        raffle = self.resolve_raffle(raffle_id, {"qty": qty} if qty and qty > 0 else {})
        if isinstance(raffle, Turn):
            return raffle
        if qty is None:
            return self.out(
                screens.ask_quantity(raffle), RAFFLE, {"raffle": raffle.id, "ask": "qty"}
            )
        stay = {"raffle": raffle.id, "ask": "qty"}
        if qty < 1:
            return self.out(screens.too_few(), RAFFLE, stay)
        if qty > raffle.max_per_order:
            return self.out(
                screens.ask_quantity(raffle, screens.too_many(raffle, qty)[0].body.split("\n")[0]),
                RAFFLE,
                stay,
            )
        if qty > raffle.left:
            return self.out(screens.only_left(raffle, qty), RAFFLE, stay)
        return self.effect(Reserve(raffle.id, qty=qty, replace=self.replace_code(raffle)))

    def quantity_or_number(self, value: int) -> Turn:
        if self.state == RAFFLE and self.ctx.get("ask") == "qty":
            return self.random(None, value)
        if self.state == RAFFLE and self.ctx.get("ask") == "numbers":
            return self.numbers(None, (value,), typed=True)
        raffle = self.resolve_raffle(None, {"qty": value} if value > 0 else {})
        if isinstance(raffle, Turn):
            return raffle
        return self.out(screens.clarify_quantity(raffle, value), RAFFLE, {"raffle": raffle.id})

    def too_many(self, count: int) -> Turn:
        raffle = self.q.raffle(self.ctx["raffle"]) if "raffle" in self.ctx else None
        return self.out(screens.too_many(raffle, count))

    def after_reserve(self, effect: Reserve, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            return self.out(
                screens.reserved(result, self.q.now, replaced=effect.replace),
                CONFIRM,
                {"raffle": result.raffle_id, "order": result.code},
            )
        raffle = self.q.raffle(effect.raffle_id)
        rid = effect.raffle_id
        retry = {"raffle": rid, "ask": "qty" if effect.qty else "numbers"}
        if isinstance(result, errors.NumbersTaken):
            taken = sorted(result.taken)
            rest = [n for n in effect.numbers if n not in set(taken)]
            alternatives = list(result.alternatives)[:MAX_OFFER]
            context = {**retry, **({"offer": alternatives} if alternatives else {})}
            return self.out(
                screens.numbers_taken(raffle, rid, taken, rest, alternatives), RAFFLE, context
            )
        if isinstance(result, errors.RaffleNotActive | errors.RaffleNotFound):
            return self.not_selling(raffle)
        if isinstance(result, errors.NotEnoughNumbers):
            if result.remaining == 0 or raffle is None:
                return self.not_selling(raffle)
            return self.out(
                screens.only_left(raffle, result.requested, result.remaining), RAFFLE, retry
            )
        if raffle is not None and isinstance(result, errors.NumbersOutOfRange):
            return self.out(screens.out_of_range(raffle, result.numbers), RAFFLE, retry)
        if raffle is not None and isinstance(result, errors.DuplicateNumbers):
            return self.out(
                screens.duplicate_numbers(raffle, effect.numbers, result.numbers), RAFFLE, retry
            )
        if isinstance(result, errors.QuantityOutOfBounds):
            count = result.qty or len(effect.numbers)
            return self.out(screens.too_many(raffle, count), RAFFLE, retry)
        if isinstance(result, errors.BuyerLimitExceeded):
            return self.out(
                screens.buyer_limit(result.limit, result.already, result.remaining), RAFFLE, retry
            )
        if isinstance(result, errors.InvalidOrderState) and effect.replace:
            # The hold being replaced changed meanwhile (paid, expired): show where things are.
            self.state, self.ctx = RAFFLE, retry
            return self.stay()
        return self.out(
            screens.reserve_failed(), RAFFLE if raffle else START, retry if raffle else {}
        )

    # --- Orders ---------------------------------------------------------------------------------

    def order_gone(self, code: str, order: OrderView | None) -> Turn | None:
        """The answer when an order can no longer go on (missing, closed, hold expired)."""
        if order is None:
            return self.out(screens.order_not_found(code), START, {})
        if order.status in ("PAID", "CANCELLED") or (
            order.status == "EXPIRED" and order.proof_received
        ):
            return self.out(screens.order_closed(order), START, {})
        if order.hold_expired(self.q.now):
            raffle = self.q.raffle(order.raffle_id)
            replies = screens.hold_expired(order, raffle)
            if raffle is not None and raffle.selling:
                return self.out(replies, RAFFLE, {"raffle": raffle.id, "ask": "numbers"})
            return self.out(replies, START, {})
        return None

    def confirm(self, code: str) -> Turn:
        order = self.q.order(code)
        gone = self.order_gone(code, order)
        if gone is not None or order is None:
            return gone or self.stay()
        context = {"raffle": order.raffle_id, "order": order.code}
        if order.proof_received:
            return self.out(screens.already_reviewing(order), REVIEW, context)
        return self.out(screens.payment(order, self.q.now), PAYMENT, context)

    def pay(self, code: str) -> Turn:
        code = code or self.ctx.get("order", "")
        order = self.q.order(code) if code else None
        if order is None or not order.is_live:
            live = [o for o in self.q.live_orders() if not o.hold_expired(self.q.now)]
            if not live:
                if order is not None:
                    return self.confirm(order.code)
                return self.stay(_no_payment_due())
            order = live[0]
        return self.confirm(order.code)

    def cancel_command(self) -> Turn:
        if self.state in ORDER_STATES:
            return self.cancel_order(self.ctx["order"])
        if self.state in (RAFFLE, BROWSING):
            raffles, total = self.selling()
            return self.out(
                screens.lead(
                    _cancelled_step(),
                    screens.main_menu(
                        self.q.buyer_name, raffles, total, self.q.live_orders(), welcome=False
                    ),
                ),
                START,
                {},
            )
        live = [
            o
            for o in self.q.live_orders()
            if not o.proof_received and not o.hold_expired(self.q.now)
        ]
        if live:
            return self.out(screens.ask_cancel(live[0], len(live) - 1), START, {})
        return self.out(screens.nothing_to_cancel(), START, {})

    def cancel_order(self, code: str) -> Turn:
        order = self.q.order(code)
        if order is None:
            return self.out(screens.order_not_found(code), START, {})
        if not order.is_live:
            return self.out(screens.order_closed(order), START, {})
        if order.proof_received:
            return self.out(
                screens.cannot_cancel_reviewing(order),
                REVIEW,
                {"raffle": order.raffle_id, "order": order.code},
            )
        return self.effect(Cancel(order.code))

    def after_cancel(self, effect: Cancel, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            return self.out(screens.cancelled(result), START, {})
        order = self.q.order(effect.code)
        if order is None:
            return self.out(screens.order_not_found(effect.code), START, {})
        return self.out(screens.order_closed(order), START, {})

    # --- Payment proofs --------------------------------------------------------------------------

    def proof_target(self) -> OrderView | None:
        order = self.ctx_order() if self.state in ORDER_STATES else None
        if order is not None and order.status == "PENDING_PAYMENT":
            return order
        live = self.q.live_orders()
        if live:
            return live[0]
        if order is not None and order.accepts_proof:
            return order  # an expired hold: a late payment staff may still accept
        return None

    def on_media(self, media: Media) -> Turn:
        if not media.ok:
            return self.out(screens.proof_unreadable(media.error))
        if media.mime_type and media.mime_type.split(";")[0].strip() not in PROOF_TYPES:
            return self.out(screens.proof_unreadable())
        order = self.proof_target()
        if order is None:
            return self.out(screens.media_without_order())
        return self.effect(AttachProof(order.code, media))

    def after_proof(self, effect: AttachProof, result: OrderView | Exception) -> Turn:
        if isinstance(result, OrderView):
            return self.out(
                screens.proof_received(result, late=result.status == "EXPIRED"),
                REVIEW,
                {"raffle": result.raffle_id, "order": result.code},
            )
        if isinstance(result, ProofUnreadable | errors.InvalidInput):
            detail = result.detail if isinstance(result, ProofUnreadable) else ""
            return self.out(screens.proof_unreadable(detail))
        order = self.q.order(effect.code)
        if order is None:
            return self.out(screens.order_not_found(effect.code), START, {})
        return self.out(screens.order_closed(order), START, {})

    # --- Other commands --------------------------------------------------------------------------

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

    def tickets(self) -> Turn:
        return self.out(screens.tickets(self.q.paid_tickets(), self.q.live_orders(), self.q.now))


def _what_now() -> str:
    return _("What would you like to do?")


def _no_payment_due() -> str:
    return _("You have no order waiting for payment.")


def _cancelled_step() -> str:
    return _("OK, cancelled.")
