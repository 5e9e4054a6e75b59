"""An in-memory world for driving the pure core without a database (tests, hypothesis).

`FakeWorld` holds raffles, one buyer's orders and the numbers other buyers hold; it answers
the `Queries` reads and carries out effects the way `raffles.services` would, raising the same
RaffleError subclasses. `converse()` runs one event through handle → effect → settle.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from messaging.bot.flow import machine
from messaging.bot.flow.effects import ApplyCoupon, AttachProof, Cancel, ProofUnreadable, Reserve
from messaging.bot.flow.events import InboundEvent
from messaging.bot.flow.intents import FaqView
from messaging.bot.flow.machine import Turn
from messaging.bot.flow.replies import Reply, fold
from messaging.bot.flow.snapshots import (
    ClaimView,
    OrderView,
    RaffleView,
    ResultView,
    TicketsView,
)
from messaging.channel import shapes
from raffles import exceptions as errors
from raffles.rules import OrderStatus

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def make_raffle(raffle_id: int = 1, **fields: Any) -> RaffleView:
    base: dict[str, Any] = {
        "id": raffle_id,
        "title": f"Raffle {raffle_id}",
        "price": Decimal("10.00"),
        "currency": "USD",
        "min_number": 0,
        "max_number": 99,
        "left": 100,
        "selling": True,
        "max_per_order": 10,
        "prize": "A bicycle",
        "draw_at": NOW + timedelta(days=10),
    }
    base.update(fields)
    return RaffleView(**base)


@dataclass
class FakeWorld:
    raffles: dict[int, RaffleView] = field(default_factory=dict)
    orders: dict[str, OrderView] = field(default_factory=dict)
    taken: dict[int, set[int]] = field(default_factory=dict)  # held by other buyers
    now: datetime = NOW
    buyer_name: str = "Ana María"
    drawn: list[ResultView] = field(default_factory=list)
    support_opens_at: datetime | None = None  # None: a person answers now
    faq_entries: list[FaqView] = field(default_factory=list)
    claim_views: list[ClaimView] = field(default_factory=list)
    # Coupons every raffle takes: code → amount off.
    coupons: dict[str, Decimal] = field(default_factory=lambda: {"SAVE10": Decimal("1.00")})
    _codes: Any = field(default_factory=lambda: itertools.count(1))

    # --- Queries --------------------------------------------------------------------------
    def selling_raffles(self, offset: int, limit: int) -> tuple[Sequence[RaffleView], int]:
        selling = [self._view(r) for r in self.raffles.values() if r.selling]
        return selling[offset : offset + limit], len(selling)

    def raffle(self, raffle_id: int) -> RaffleView | None:
        raffle = self.raffles.get(raffle_id)
        return self._view(raffle) if raffle else None

    def order(self, code: str) -> OrderView | None:
        return self.orders.get((code or "").upper())

    def live_orders(self) -> Sequence[OrderView]:
        return [o for o in reversed(self.orders.values()) if o.is_waiting_payment]

    def unconfirmed_orders(self, raffle_id: int) -> Sequence[OrderView]:
        return [
            o
            for o in reversed(self.orders.values())
            if o.raffle_id == raffle_id and o.is_unconfirmed(self.now)
        ]

    def paid_tickets(self) -> Sequence[TicketsView]:
        out: dict[str, list[str]] = {}
        for order in self.orders.values():
            if order.is_paid:
                out.setdefault(order.raffle_title, []).extend(order.numbers)
        return [TicketsView(title, tuple(sorted(numbers))) for title, numbers in out.items()]

    def results(self) -> Sequence[ResultView]:
        return list(self.drawn)

    def claims(self) -> Sequence[ClaimView]:
        return self.claim_views

    def faqs(self) -> Sequence[FaqView]:
        return list(self.faq_entries)

    # --- Domain ------------------------------------------------------------------------------
    def held(self, raffle_id: int) -> set[int]:
        mine = {
            n
            for o in self.orders.values()
            if o.raffle_id == raffle_id and (o.is_waiting_payment or o.is_paid)
            for n in o.raw_numbers
        }
        return mine | self.taken.get(raffle_id, set())

    def _view(self, raffle: RaffleView) -> RaffleView:
        left = raffle.max_number - raffle.min_number + 1 - len(self.held(raffle.id))
        return replace(raffle, left=max(0, min(left, raffle.left)))

    def reserve(self, effect: Reserve) -> OrderView:
        """As `services.reserve_replacing`: nothing changes unless the reservation is made."""
        raffle = self.raffles.get(effect.raffle_id)
        if raffle is None:
            raise errors.RaffleNotFound()
        if not raffle.selling:
            raise errors.RaffleNotActive()
        old = self.orders.get(effect.replace) if effect.replace else None
        if old is not None and not old.can_be_replaced:
            if old.is_unconfirmed(self.now):
                raise errors.InvalidOrderState("replace", old.status)
            old = None
        released = set(old.raw_numbers) if old is not None and old.raffle_id == raffle.id else set()
        if not effect.add:
            holds = [o.code for o in self.unconfirmed_orders(raffle.id) if o is not old]
            if holds:
                raise errors.UnconfirmedOrderExists(holds)
        held = self.held(raffle.id) - released
        left = raffle.max_number - raffle.min_number + 1 - len(held)
        free = [n for n in range(raffle.min_number, raffle.max_number + 1) if n not in held][
            : max(0, min(left, raffle.left))
        ]
        if effect.numbers:
            numbers = list(effect.numbers)
            if len(set(numbers)) != len(numbers):
                raise errors.DuplicateNumbers(sorted({n for n in numbers if numbers.count(n) > 1}))
            bad = [n for n in numbers if not raffle.min_number <= n <= raffle.max_number]
            if bad:
                raise errors.NumbersOutOfRange(bad, raffle.min_number, raffle.max_number)
            if not 1 <= len(numbers) <= raffle.max_per_order:
                raise errors.QuantityOutOfBounds(len(numbers), raffle.max_per_order)
            taken = [n for n in numbers if n in held]
            if taken:
                raise errors.NumbersTaken(taken, free[:5])
        else:
            if not 1 <= effect.qty <= raffle.max_per_order:
                raise errors.QuantityOutOfBounds(effect.qty, raffle.max_per_order)
            if len(free) < effect.qty:
                raise errors.NotEnoughNumbers(effect.qty, len(free))
            numbers = free[: effect.qty]
        if old is not None:
            self.orders[old.code] = replace(old, status=OrderStatus.CANCELLED)
        code = f"C{next(self._codes):05d}"
        order = OrderView(
            code=code,
            raffle_id=raffle.id,
            raffle_title=raffle.title,
            status=OrderStatus.PENDING_PAYMENT,
            numbers=tuple(raffle.fmt(n) for n in sorted(numbers)),
            raw_numbers=tuple(sorted(numbers)),
            total=raffle.price * len(numbers),
            currency=raffle.currency,
            expires_at=self.now + timedelta(minutes=raffle.reservation_minutes),
            payment_instructions="Transfer to account 123",
            created_at=self.now,
        )
        self.orders[code] = order
        return order

    def cancel(self, effect: Cancel) -> OrderView:
        order = self.orders.get(effect.code)
        if order is None or not order.is_live:
            raise errors.InvalidOrderState("cancel", order.status if order else "missing")
        self.orders[order.code] = replace(order, status=OrderStatus.CANCELLED)
        return self.orders[order.code]

    def attach(self, effect: AttachProof) -> OrderView:
        if not effect.media.ok:
            raise ProofUnreadable()
        order = self.orders.get(effect.code)
        if order is None or not order.accepts_proof:
            raise errors.InvalidOrderState("add a payment proof to", "closed")
        if order.is_waiting_payment:
            order = replace(order, proof_received=True)
            self.orders[order.code] = order
        return order

    def apply_coupon(self, effect: ApplyCoupon) -> OrderView:
        """As `services.pricing.apply_coupon`, with a fixed amount off."""
        order = self.orders.get(effect.code)
        off = self.coupons.get(effect.coupon.upper())
        if order is None or not order.can_be_replaced or order.coupon_code:
            raise errors.InvalidOrderState("apply a coupon to", "closed")
        if off is None:
            raise errors.CouponNotFound(effect.coupon)
        off = min(off, order.total)
        listed = order.list_total if order.list_total is not None else order.total
        order = replace(
            order,
            total=order.total - off,
            list_total=listed,
            discount=order.discount + off,
            coupon_code=effect.coupon.upper(),
            coupon_discount=off,
        )
        self.orders[order.code] = order
        return order

    def execute(self, effect: Any) -> OrderView | Exception:
        try:
            if isinstance(effect, Reserve):
                return self.reserve(effect)
            if isinstance(effect, Cancel):
                return self.cancel(effect)
            if isinstance(effect, ApplyCoupon):
                return self.apply_coupon(effect)
            return self.attach(effect)
        except (errors.RaffleError, ProofUnreadable) as exc:
            return exc


@dataclass
class Exchange:
    """One event through the core: the final turn and every reply it produced."""

    outcome: Turn
    replies: tuple[Reply, ...]


def converse(
    world: FakeWorld,
    state: str,
    context: dict[str, Any],
    event: InboundEvent,
    *,
    first_contact: bool = False,
) -> Exchange:
    """One inbound event through the core, effects carried out on the fake world."""
    outcome = machine.handle(state, context, event, world, first_contact=first_contact)
    replies = outcome.replies
    effect = outcome.domain_effect
    if effect is not None:
        result = world.execute(effect)
        outcome = machine.settle(outcome.state, outcome.context, effect, result, world)
        replies = replies + outcome.replies
    return Exchange(outcome, fold(replies))


# --- A buyer's phone, talking to the real webhook ------------------------------------------


def webhook_body(wa_id: str, name: str, message: dict[str, Any]) -> dict[str, Any]:
    """A delivery as Meta sends it, carrying one message."""
    return shapes.inbound(wa_id, message, name=name, entry_id="1234567890")


class Phone:
    """One buyer's WhatsApp: each method POSTs a signed webhook delivery (tasks run in line,
    Q_CLUSTER sync) and returns what the fake Graph API received for this buyer since."""

    def __init__(self, post: Any, graph: Any, wa_id: str, name: str = "Ana") -> None:
        self.post = post
        self.graph = graph
        self.wa_id = wa_id
        self.name = name
        self.seen = 0
        self.sent = 0
        self._ids = itertools.count(1)
        self.clock = int(datetime.now(tz=UTC).timestamp()) - 600

    # Sending
    def _send(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.sent += 1
        self.clock += 1
        message = {
            "id": f"wamid.{self.wa_id}.{next(self._ids)}",
            "timestamp": str(self.clock),
            **message,
        }
        response = self.post(webhook_body(self.wa_id, self.name, message))
        assert response.status_code == 200, response.content
        return self.inbox()

    def text(self, body: str) -> list[dict[str, Any]]:
        return self._send({"type": "text", "text": {"body": body}})

    def tap(self, reply_id: str, title: str = "") -> list[dict[str, Any]]:
        """Tap a reply button."""
        return self._send(
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": reply_id, "title": title or reply_id[:20]},
                },
            }
        )

    def pick(self, row_id: str, title: str = "") -> list[dict[str, Any]]:
        """Pick a row of a list message."""
        return self._send(
            {
                "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": {"id": row_id, "title": title or row_id[:24]},
                },
            }
        )

    def media(
        self, kind: str, media_id: str, mime_type: str, filename: str = ""
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"id": media_id, "mime_type": mime_type, "sha256": "x"}
        if filename:
            body["filename"] = filename
        return self._send({"type": kind, kind: body})

    def raw(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        return self._send(message)

    # Receiving
    def received(self) -> list[dict[str, Any]]:
        return [p for p in self.graph.sent_payloads() if p.get("to") == self.wa_id]

    def inbox(self) -> list[dict[str, Any]]:
        """Messages received since the last look."""
        everything = self.received()
        new = everything[self.seen :]
        self.seen = len(everything)
        return new


def body_of(payload: dict[str, Any]) -> str:
    """The text a person reads in a sent message (text, buttons or list body)."""
    if payload.get("type") == "text":
        return str(payload["text"]["body"])
    if payload.get("type") == "interactive":
        return str(payload["interactive"]["body"]["text"])
    if payload.get("type") == "template":
        components = payload["template"].get("components", [])
        return " ".join(
            p["text"] for c in components for p in c.get("parameters", []) if "text" in p
        )
    return ""


def ids_of(payload: dict[str, Any]) -> list[str]:
    """The ids of a message's buttons or list rows."""
    interactive = payload.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [b["reply"]["id"] for b in action.get("buttons", [])]
    if interactive.get("type") == "list":
        return [r["id"] for s in action.get("sections", []) for r in s["rows"]]
    return []


def all_text(payloads: Sequence[dict[str, Any]]) -> str:
    return "\n".join(body_of(p) for p in payloads)


def all_ids(payloads: Sequence[dict[str, Any]]) -> list[str]:
    return [i for p in payloads for i in ids_of(p)]
