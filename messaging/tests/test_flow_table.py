"""Every command, button and everyday phrase the bot knows, in every state: an answer that is
not the generic "I didn't understand" (or a documented silence: a reaction), never an
exception, a valid state, and never a held number released unless the buyer asked to cancel
or change that order.

The inputs come from the vocabulary itself (`vocabulary.COMMANDS`, `intents.INTENTS`, the
button ids `buyer_text.SIMPLE_IDS` and the verbs of `buyer_text.parse_reply_id`), so a new
word or button is in the table as soon as it exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import translation

from messaging.bot.flow import buyer_text, intents, machine, screens
from messaging.bot.flow.events import InboundEvent
from messaging.bot.flow.snapshots import OrderView
from messaging.bot.flow.states import STATES
from messaging.testing.world import NOW, FakeWorld, converse, make_raffle
from raffles.rules import OrderStatus

CODE = "C00001"
HELD = (5, 6)


def world_in(state: str) -> tuple[FakeWorld, dict]:
    world = FakeWorld(raffles={1: make_raffle(1, title="Bike"), 2: make_raffle(2, title="Car")})
    world.orders[CODE] = OrderView(
        code=CODE,
        raffle_id=1,
        raffle_title="Bike",
        status=OrderStatus.PENDING_PAYMENT,
        numbers=("05", "06"),
        raw_numbers=HELD,
        total=world.raffles[1].price * 2,
        currency="USD",
        expires_at=NOW + timedelta(minutes=20),
        created_at=NOW - timedelta(minutes=10),
        proof_received=state == "review",
        payment_instructions="Transfer to account 123",
    )
    world._codes = iter(range(2, 10_000))  # new orders after C00001
    context = {
        "start": {},
        "browsing": {"page": 1},
        "raffle": {"raffle": 1},
    }.get(state, {"raffle": 1, "order": CODE})
    return world, context


def _phrases() -> dict[str, list[str]]:
    table: dict[str, list[str]] = defaultdict(list)
    for phrase, command in buyer_text.COMMANDS.items():
        table[f"command:{command.value}"].append(phrase)
    for intent, patterns in intents.INTENTS.items():
        table[f"intent:{intent.value}"].extend(" ".join(p) for p in patterns)
    table["request"] = [
        "5 12",
        "5",
        "random 2",
        "2 al azar",
        "10-15",
        "3 tickets",
        "Bike 7 8",
        "$1.500",
        "ya pagué",
        "hola",
        "",
    ]
    table["coupon"] = ["coupon SAVE10", "cupón save10", "cupom SAVE10", "coupon NOPE1"]
    return dict(table)


PHRASES = _phrases()
BUTTONS = [
    *buyer_text.SIMPLE_IDS,
    "page:1",
    "raffle:1",
    "pick:1",
    "qty:1",
    "random:1:2",
    "take:1:7.8",
    f"confirm:{CODE}",
    f"cancel:{CODE}",
    f"keep:{CODE}",
    f"pay:{CODE}",
    f"change:{CODE}:1:r2",
    f"change:{CODE}:1:7.8",
    "add:1:r2",
    f"add:1:7.8:{CODE}",
]
# What may release the held order: the buyer asked to cancel it or to change its numbers.
RELEASES = {"command:cancel", f"cancel:{CODE}", f"change:{CODE}:1:r2", f"change:{CODE}:1:7.8"}
LANGUAGES = ("en", "es", "pt-br")


def generic() -> tuple[str, ...]:
    """The generic answers, in the active language."""
    return (
        screens.unknown("§").split("§")[0].rstrip('“"«'),
        screens.stale_button(),
        screens.reserve_failed()[0].body,
    )


def check(state: str, group: str, event: InboundEvent) -> str | None:
    """What went wrong with this input in this state, or None."""
    world, context = world_in(state)
    before = world.orders[CODE]
    try:
        turn = converse(world, state, context, event)
    except Exception as exc:
        return f"raised {exc!r}"
    text = "\n".join(r.body for r in turn.replies)
    if not turn.replies and event.type not in machine.SILENT_TYPES:
        return "no answer"
    if any(g in text for g in generic()):
        return f"generic answer: {text[:120]!r}"
    if not machine.is_valid(turn.outcome.state, turn.outcome.context):
        return f"invalid {turn.outcome.state} {turn.outcome.context}"
    after = world.orders[CODE]
    released = after.status != before.status or after.raw_numbers != before.raw_numbers
    if released and group not in RELEASES and event.reply_id not in RELEASES:
        return f"released the hold ({after.status})"
    return None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("group", sorted(PHRASES))
@pytest.mark.parametrize("state", STATES)
def test_every_phrase_in_every_state(state, group, language):
    failures = {}
    with translation.override(language):
        for phrase in PHRASES[group]:
            problem = check(state, group, InboundEvent.text_message(phrase))
            if problem:
                failures[phrase] = problem
    assert not failures, failures


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("button", BUTTONS)
@pytest.mark.parametrize("state", STATES)
def test_every_button_in_every_state(state, button, language):
    with translation.override(language):
        for event in (InboundEvent.button(button), InboundEvent.list_pick(button)):
            problem = check(state, button, event)
            assert problem is None, problem


@pytest.mark.parametrize("state", STATES)
def test_a_reaction_is_the_documented_silence(state):
    world, context = world_in(state)
    turn = converse(world, state, context, InboundEvent.other("reaction"))
    assert turn.replies == ()
    assert turn.outcome.state == machine.clean(state, context)[0]


def test_the_table_covers_every_command_and_intent():
    groups = set(PHRASES)
    assert {f"command:{c.value}" for c in buyer_text.Command} <= groups
    assert {f"intent:{i.value}" for i in intents.Intent} <= groups
    assert set(buyer_text.SIMPLE_IDS) <= set(BUTTONS)
    assert generic()[0] == "Sorry, I didn't understand "
    with translation.override("es"):
        assert "entend" in generic()[0]


def test_an_expired_hold_is_not_released_by_any_command():
    """The same table, with the hold run out: answers, never an exception."""
    for group, phrases in PHRASES.items():
        for phrase in phrases:
            world, context = world_in("payment")
            order = world.orders[CODE]
            world.orders[CODE] = replace(order, expires_at=NOW - timedelta(minutes=1))
            turn = converse(world, "payment", context, InboundEvent.text_message(phrase))
            assert turn.replies, (group, phrase)
