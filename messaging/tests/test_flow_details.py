"""The conversation's smaller promises: a repeated request keeps the hold it made, the draw's
commitment only where it is asked for, times with their zone, the raffle's description, no
answer to a reaction, one *Raffles* control, and no extra *Confirm* tap when the buyer said
exactly what she wants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from messaging.bot.flow import machine, screens
from messaging.bot.flow.events import InboundEvent
from messaging.bot.flow.replies import Buttons, List
from messaging.testing.world import NOW, FakeWorld, converse, make_raffle

T = InboundEvent.text_message
HASH = "ab" * 32


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld(raffles={1: make_raffle(1, title="Bike"), 2: make_raffle(2, title="Car")})


@pytest.fixture
def one() -> FakeWorld:
    return FakeWorld(raffles={1: make_raffle(1, title="Bike", max_number=999, left=1000)})


def run(world, state, context, *events, first=False):
    replies = []
    for i, event in enumerate(events):
        turn = converse(world, state, context, event, first_contact=first and i == 0)
        state, context = turn.outcome.state, turn.outcome.context
        replies = list(turn.replies)
    return state, context, replies


def text_of(replies) -> str:
    return "\n".join(r.body for r in replies)


def live(world) -> list:
    return [o for o in world.orders.values() if o.is_waiting_payment]


# --- a. A double tap keeps the hold it made --------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [InboundEvent.list_pick("random:1:2"), T("random 2"), T("2 al azar")],
    ids=["tap", "typed", "typed-es"],
)
def test_the_same_random_request_twice_keeps_the_first_hold(world, event):
    state, context, _ = run(world, "raffle", {"raffle": 1}, event)
    first = context["order"]
    state, context, replies = run(world, state, context, event)
    assert [o.code for o in live(world)] == [first]
    assert context["order"] == first
    assert state == "payment"
    assert first in text_of(replies)
    assert "00, 01" in text_of(replies)


def test_a_double_tap_on_change_keeps_the_new_hold(one):
    _, context, _ = run(one, "raffle", {"raffle": 1}, T("5 12"))
    old = context["order"]
    change = InboundEvent.button(f"change:{old}:1:r2")
    state, context, _ = run(one, "payment", context, T("random 2"))  # asks: keep, change, add
    state, context, _ = run(one, state, context, change)
    new = context["order"]
    assert new != old
    state, context, replies = run(one, state, context, change)
    assert [o.code for o in live(one)] == [new]
    assert context["order"] == new
    assert new in text_of(replies)


def test_a_double_tap_on_add_makes_one_more_order_not_two(one):
    _, context, _ = run(one, "raffle", {"raffle": 1}, T("5 12"))
    state, context, replies = run(one, "payment", context, T("random 2"))
    [add] = [b.id for b in replies[-1].buttons if b.id.startswith("add:")]
    state, context, _ = run(one, state, context, InboundEvent.button(add))
    state, context, replies = run(one, state, context, InboundEvent.button(add))
    assert len(live(one)) == 2
    assert context["order"] in text_of(replies)


def test_the_same_random_request_later_still_asks_before_changing(world):
    state, context, _ = run(world, "raffle", {"raffle": 1}, T("random 2"))
    world.now = NOW + timedelta(minutes=20)
    state, context, replies = run(world, state, context, T("random 2"))
    assert "Keep my numbers" in [b.title for b in replies[-1].buttons]
    assert len(live(world)) == 1


# --- b. The commitment hash only where it is asked for ------------------------------------


def test_the_raffle_details_show_a_short_line_and_the_link_not_the_hash():
    raffle = make_raffle(1, commitment=HASH, draw_url="https://raffles.example.com/d/1/")
    text = screens.raffle_details_text(raffle)
    assert HASH not in text
    assert "https://raffles.example.com/d/1/" in text


@pytest.mark.parametrize(
    "text", ["how is the winner chosen?", "verify", "¿cómo se elige el ganador?", "verificar"]
)
def test_the_hash_is_shown_when_asked_for(text):
    world = FakeWorld(raffles={1: make_raffle(1, title="Bike", commitment=HASH)})
    _, _, replies = run(world, "raffle", {"raffle": 1}, T(text))
    assert HASH in text_of(replies)


# --- c. Times with their zone ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "UTC", "UTC"),
        ("es", "America/Caracas", "UTC-4"),
        ("pt-br", "America/Sao_Paulo", "UTC-3"),
        ("en", "Europe/Madrid", "CET"),
    ],
)
def test_every_time_names_its_zone(settings, language, zone, expected):
    settings.TIME_ZONE = zone
    with translation.override(language):
        assert screens.when(NOW).endswith(expected)
        assert screens.clock(NOW).endswith(expected)


def test_a_spanish_date_is_written_in_spanish(settings):
    with translation.override("es"):
        assert "ene" in screens.when(NOW)


def test_the_hold_and_the_draw_date_name_the_zone(one):
    _, _, replies = run(one, "start", {}, InboundEvent.list_pick("raffle:1"))
    assert "12:00 UTC" in text_of(replies)  # the draw
    _, _, replies = run(one, "raffle", {"raffle": 1}, T("5 12"))
    assert "12:30 UTC" in text_of(replies)  # the hold


# --- d. The raffle's description --------------------------------------------------------------


def test_the_raffle_details_show_the_description():
    raffle = make_raffle(1, description="Red mountain bike, 21 gears, delivered home.")
    assert "21 gears" in screens.raffle_details_text(raffle)


def test_a_long_description_is_cut():
    raffle = make_raffle(1, description="word " * 400)
    assert len(screens.raffle_details_text(raffle)) < 1000


# --- f. A reaction gets no answer -----------------------------------------------------------


@pytest.mark.parametrize("state", machine.STATES)
def test_a_reaction_gets_no_answer(one, state):
    context = {"raffle": 1} if state == "raffle" else {}
    turn = machine.handle(state, context, InboundEvent.other("reaction"), one)
    assert turn.replies == ()
    assert turn.effects == ()


# --- g. One *Raffles* control beside the list --------------------------------------------------


def test_the_welcome_has_no_second_raffles_control(world):
    _, _, replies = run(world, "start", {}, T("hi"), first=True)
    menu, listing = replies
    assert isinstance(listing, List)
    assert "raffles" not in [b.id for b in menu.buttons]


# --- h. No extra *Confirm* tap when she said exactly what she wants ---------------------------


@pytest.mark.parametrize("text", ["5 12 99", "5, 12", "random 2", "2 al azar"])
def test_a_clear_request_reserves_and_shows_how_to_pay(one, text):
    state, context, replies = run(one, "start", {}, T(text))
    assert state == "payment"
    body = text_of(replies)
    assert "Reserved for you" in body or "Reservado" in body
    assert "Transfer to account 123" in body
    assert f"cancel:{context['order']}" in [b.id for b in replies[-1].buttons]


def test_a_first_message_naming_the_raffle_and_numbers_is_one_step(world):
    state, _, replies = run(world, "start", {}, T("Bike 5 12"), first=True)
    assert state == "payment"
    assert "Hi Ana" in text_of(replies)
    assert "05, 12" in text_of(replies)
    assert world.orders["C00001"].raffle_title == "Bike"


def test_a_tapped_quantity_reserves_and_shows_how_to_pay(world):
    state, _, replies = run(world, "raffle", {"raffle": 1}, InboundEvent.list_pick("random:1:3"))
    assert state == "payment"
    assert "Transfer to account 123" in text_of(replies)


def test_a_range_still_asks_to_confirm(one):
    """ "10-15" may mean six numbers or two: the buyer sees them and confirms."""
    state, context, replies = run(one, "start", {}, T("10-15"))
    assert state == "confirm"
    assert isinstance(replies[-1], Buttons)
    assert f"confirm:{context['order']}" in [b.id for b in replies[-1].buttons]


def test_a_clear_request_names_her_other_holds(world):
    run(world, "raffle", {"raffle": 2}, T("7"))
    _, _, replies = run(world, "raffle", {"raffle": 1}, T("5"))
    assert "C00001" in text_of(replies)
