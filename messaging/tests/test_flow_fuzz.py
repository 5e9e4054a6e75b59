"""Hypothesis drives the pure core with random inputs from random states.

Whatever arrives (texts, button and list ids, old or forged ids, media, other message types)
and whatever state or context was stored: no exception, at least one reply, a valid state and
context, and every reply within WhatsApp's limits.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from messaging.bot.flow import machine
from messaging.bot.flow.events import InboundEvent, Kind, Media
from messaging.bot.flow.replies import (
    BODY_MAX,
    BUTTON_ID_MAX,
    MAX_BUTTONS,
    MAX_ROWS,
    ROW_ID_MAX,
    Buttons,
    List,
    Text,
)
from messaging.bot.flow.snapshots import OrderView
from messaging.channel import payloads
from messaging.testing.world import NOW, FakeWorld, converse, make_raffle

WORDS = [
    "hi",
    "hola",
    "menu",
    "Menú",
    "help",
    "AYUDA",
    "back",
    "atrás",
    "volver",
    "cancel",
    "cancelar",
    "my tickets",
    "mis boletos",
    "mis números",
    "agent",
    "asesor",
    "humano",
    "results",
    "resultados",
    "english",
    "español",
    "raffles",
    "rifas",
    "confirm",
    "sí",
    "ok",
    "pay",
    "pagar",
    "random",
    "random 2",
    "al azar 3",
    "azar 0",
    "random 999",
    "5",
    "05, 12",
    "5 12 99",
    "10-15",
    "10 - 15",
    "del 10 al 12",
    "1,1,2",
    "3 tickets",
    "0-99",
    "1-100000",
    "",
    "   ",
    "🎉🎉",
    "x" * 700,
    "I paid 500 at 3pm",
    "random two",
    "dos al azar",
    "-",
    "5-",
    "-5",
    "1000000000000",
    "¿?",
    "5 y 7",
    "numbers 4 and 8",
    "Raffle 1 5 12",
    "raffle 2 random 3",
    "verify",
    "¿cómo se elige el ganador?",
]
STATIC_IDS = [
    "menu",
    "help",
    "back",
    "tickets",
    "agent",
    "results",
    "raffles",
    "lang:en",
    "lang:es",
    "page:1",
    "page:2",
    "page:99",
    "page:0",
    "raffle:1",
    "raffle:2",
    "raffle:3",
    "raffle:999",
    "raffle:x",
    "pick:1",
    "pick:3",
    "qty:1",
    "qty:2",
    "random:1:2",
    "random:2:0",
    "random:1:500",
    "random:3:1",
    "take:1:5",
    "take:1:5.6-8",
    "take:2:0-99",
    "take:1:7-3",
    "take:1:",
    "confirm:C00001",
    "confirm:C00002",
    "confirm:NOPE",
    "cancel:C00001",
    "cancel:C00003",
    "keep:C00001",
    "pay:C00001",
    "add:1:r2",
    "add:1:r2:C00001",
    "add:1:5.6:ZZZZZZ",
    "change:C00001:1:r2",
    "change:C00002:1:5-7",
    "pay:",
    "callback_data",
    "",
    "weird:1:2:3",
]
ORDER_CODES = ["C00001", "C00002", "C00003", "ZZZZZZ"]

known_words = st.sampled_from(WORDS)
texts = st.one_of(known_words, known_words, known_words, st.text(max_size=80))
known_ids = st.sampled_from(STATIC_IDS)
reply_ids = st.one_of(known_ids, known_ids, known_ids, st.text(max_size=40))
media = st.builds(
    Media,
    media_id=st.sampled_from(["m1", "m2"]),
    mime_type=st.sampled_from(["image/jpeg", "application/pdf", "image/gif", "video/mp4", ""]),
    ok=st.booleans(),
)
events = st.one_of(
    st.builds(InboundEvent, kind=st.just(Kind.TEXT), text=texts),
    st.builds(InboundEvent, kind=st.just(Kind.BUTTON), reply_id=reply_ids, text=texts),
    st.builds(InboundEvent, kind=st.just(Kind.LIST), reply_id=reply_ids),
    st.builds(InboundEvent, kind=st.just(Kind.MEDIA), media=st.one_of(st.none(), media)),
    st.builds(
        InboundEvent,
        kind=st.just(Kind.OTHER),
        type=st.sampled_from(
            [
                "audio",
                "video",
                "sticker",
                "reaction",
                "location",
                "contacts",
                "unsupported",
                "order",
                "interactive:nfm_reply",
                "unknown",
            ]
        ),
    ),
)
contexts = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "raffle": st.one_of(st.integers(-1, 4), st.text(max_size=3), st.none()),
            "order": st.one_of(st.sampled_from(ORDER_CODES), st.integers(), st.text(max_size=14)),
            "page": st.one_of(st.integers(-2, 5), st.booleans()),
            "ask": st.sampled_from(["numbers", "qty", "other", 3]),
            "offer": st.one_of(st.lists(st.integers(0, 120), max_size=25), st.just("x")),
            "want": st.one_of(
                st.fixed_dictionaries({"qty": st.integers(-1, 50)}),
                st.fixed_dictionaries({"numbers": st.lists(st.integers(-5, 200), max_size=5)}),
                st.just({"qty": 1, "numbers": [1]}),
                st.none(),
            ),
        },
    ),
    st.sampled_from([None, [], "junk", 5]),
)
states = st.one_of(st.sampled_from(machine.STATES), st.sampled_from(["", "new", "agent"]))
# Mostly well-formed stored conversations, some garbage.
starts = st.one_of(
    st.tuples(states, contexts),
    st.tuples(
        st.sampled_from(["confirm", "payment", "review"]),
        st.fixed_dictionaries({"raffle": st.integers(1, 3), "order": st.sampled_from(ORDER_CODES)}),
    ),
    st.tuples(
        st.just("raffle"),
        st.fixed_dictionaries(
            {"raffle": st.integers(1, 3)},
            optional={"ask": st.sampled_from(["numbers", "qty"]), "offer": st.just([4, 9])},
        ),
    ),
    st.tuples(
        st.just("browsing"),
        st.fixed_dictionaries(
            {"page": st.integers(1, 3)},
            optional={"want": st.sampled_from([{"qty": 2}, {"numbers": [5, 7]}])},
        ),
    ),
)


def order(code: str, raffle_id: int, status: str, **fields) -> OrderView:
    base = {
        "code": code,
        "raffle_id": raffle_id,
        "raffle_title": f"Raffle {raffle_id}",
        "status": status,
        "numbers": ("05", "06"),
        "raw_numbers": (5, 6),
        "total": Decimal(20),
        "currency": "USD",
        "expires_at": NOW + timedelta(minutes=10),
    }
    base.update(fields)
    return OrderView(**base)


@st.composite
def worlds(draw) -> FakeWorld:
    count = draw(st.sampled_from([0, 1, 2, 12]))
    raffles = {}
    for rid in range(1, count + 1):
        raffles[rid] = make_raffle(
            rid,
            max_number=draw(st.sampled_from([9, 99, 999])),
            selling=draw(st.booleans()) if rid == 2 else True,
            left=draw(st.sampled_from([0, 1, 3, 1000])),
            max_per_order=draw(st.sampled_from([1, 3, 10])),
            commitment=draw(st.sampled_from(["", "ab" * 32])),
            prize=draw(st.sampled_from(["", "A car", "x" * 900])),
        )
    world = FakeWorld(raffles=raffles)
    statuses = ["PENDING_PAYMENT", "PAID", "CANCELLED", "EXPIRED"]
    for code in ORDER_CODES[:3]:
        if draw(st.integers(0, 3)) and raffles:
            status = draw(st.sampled_from(statuses))
            world.orders[code] = order(
                code,
                draw(st.sampled_from(sorted(raffles))),
                status,
                proof_received=draw(st.booleans()),
                expires_at=NOW + timedelta(minutes=draw(st.sampled_from([-5, 10]))),
                payment_instructions=draw(st.sampled_from(["", "Bank 1", "y" * 1200])),
            )
    if draw(st.booleans()) and raffles:
        world.taken[1] = set(range(8))
    return world


def check_replies(replies, event: InboundEvent | None = None) -> None:
    if event is not None and event.kind == Kind.OTHER and event.type in machine.SILENT_TYPES:
        assert not replies, "a reaction gets no answer"
        return
    assert replies, "the buyer must always get an answer"
    for reply in replies:
        assert isinstance(reply, Text | Buttons | List)
        assert reply.body.strip()
        if isinstance(reply, Buttons):
            assert 1 <= len(reply.buttons) <= MAX_BUTTONS
            assert len(reply.body) <= BODY_MAX
            ids = [b.id for b in reply.buttons]
            assert len(set(ids)) == len(ids)
            assert all(0 < len(i) <= BUTTON_ID_MAX for i in ids)
            assert all(b.title.strip() for b in reply.buttons)
        # What the outbox will build from it must pass the channel's own checks.
        if isinstance(reply, Text):
            payloads.text("15550001111", reply.body)
        elif isinstance(reply, Buttons):
            payloads.buttons("15550001111", reply.body, [(b.id, b.title) for b in reply.buttons])
        else:
            payloads.list_message(
                "15550001111",
                reply.body,
                reply.button,
                [
                    (s.title, [(r.id, r.title, r.description) for r in s.rows])
                    for s in reply.sections
                ],
            )
        if isinstance(reply, List):
            rows = reply.rows
            assert 1 <= len(rows) <= MAX_ROWS
            assert len(reply.body) <= BODY_MAX
            ids = [r.id for r in rows]
            assert len(set(ids)) == len(ids)
            assert all(0 < len(i) <= ROW_ID_MAX for i in ids)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=worlds(),
    start=starts,
    steps=st.lists(events, min_size=1, max_size=8),
    language=st.sampled_from(["en", "es"]),
    first=st.booleans(),
)
def test_any_input_in_any_state_gets_an_answer(world, start, steps, language, first):
    state, context = start
    with translation.override(language):
        for i, event in enumerate(steps):
            effect = machine.handle(state, context, event, world).domain_effect
            hypothesis_event(type(effect).__name__ if effect else "no effect")
            turn = converse(world, state, context, event, first_contact=first and i == 0)
            check_replies(turn.replies, event)
            state, context = turn.outcome.state, turn.outcome.context
            assert machine.is_valid(state, context), (state, context)
            # The context is stored as JSON: it must survive a round trip unchanged.
            assert json.loads(json.dumps(context)) == context


@settings(max_examples=200, deadline=None)
@given(
    world=worlds(),
    start=starts,
    event=events,
    failure=st.sampled_from(["ok", "taken", "closed", "gone", "limit", "unreadable", "other"]),
)
def test_any_effect_result_gets_an_answer(world, start, event, failure):
    """Whatever the services answer (success or any domain error), the buyer hears about it."""
    from messaging.bot.flow.effects import ProofUnreadable
    from raffles import exceptions as errors

    state, context = start
    outcome = machine.handle(state, context, event, world)
    effect = outcome.domain_effect
    if effect is None:
        check_replies(outcome.replies, event)
        return
    results = {
        "taken": errors.NumbersTaken([5], [4, 6]),
        "closed": errors.RaffleNotActive(),
        "gone": errors.InvalidOrderState("cancel", "paid"),
        "limit": errors.BuyerLimitExceeded(5, 4, 3),
        "unreadable": ProofUnreadable("bad"),
        "other": errors.RaffleError("boom"),
    }
    result = world.execute(effect) if failure == "ok" else results[failure]
    settled = machine.settle(outcome.state, outcome.context, effect, result, world)
    check_replies(outcome.replies + settled.replies)
    assert machine.is_valid(settled.state, settled.context)


def test_clean_repairs_anything():
    assert machine.clean("confirm", {"raffle": 1}) == ("start", {})
    assert machine.clean("raffle", {"raffle": 2, "order": "X", "page": 3}) == (
        "raffle",
        {"raffle": 2},
    )
    assert machine.clean("nonsense", {"a": 1}) == ("start", {})
    assert machine.clean("browsing", {"page": True}) == ("browsing", {})
    assert machine.is_valid("payment", {"raffle": 1, "order": "ABC123"})
    assert not machine.is_valid("payment", {"raffle": 1})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), start=starts, event=events, language=st.sampled_from(["en", "es"]))
def test_while_paused_only_proofs_and_the_way_back_are_answered(world, start, event, language):
    """A person has the conversation: the bot stays quiet, attaches a proof, or resumes."""
    from messaging.bot.flow.effects import AttachProof, ResumeBot

    state, context = start
    with translation.override(language):
        turn = machine.handle_paused(state, context, event, world)
        if turn is None:
            return
        assert all(isinstance(e, AttachProof | ResumeBot) for e in turn.effects)
        effect = turn.domain_effect
        replies = turn.replies
        if effect is not None:
            settled = machine.settle(turn.state, turn.context, effect, world.execute(effect), world)
            replies, turn = replies + settled.replies, settled
        check_replies(replies, event)
        assert machine.is_valid(turn.state, turn.context)
