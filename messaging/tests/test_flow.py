"""The pure core, step by step: parsing, transitions and the answers to bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from messaging.bot.flow import buyer_text, machine
from messaging.bot.flow.buyer_text import Command, NumbersRequest, QuantityOrNumber, RandomRequest
from messaging.bot.flow.effects import AttachProof, Cancel, PauseBot, Reserve, SetLanguage
from messaging.bot.flow.events import InboundEvent, Media
from messaging.bot.flow.replies import Buttons, List
from messaging.testing.world import NOW, FakeWorld, converse, make_raffle
from raffles import exceptions as errors

T = InboundEvent.text_message


# --- Parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("5,12,99", (5, 12, 99)),
        ("5 12 99", (5, 12, 99)),
        ("05, 12", (5, 12)),
        ("10-15", (10, 11, 12, 13, 14, 15)),
        ("10 – 12", (10, 11, 12)),
        ("3, 10-12, 40", (3, 10, 11, 12, 40)),
        ("del 10 al 12", (10, 11, 12)),
        ("10 a 12", (10, 11, 12)),
        ("12-10", (10, 11, 12)),
        ("5 y 7", (5, 7)),
        ("numbers 4 and 8", (4, 8)),
        ("#5, #6", (5, 6)),
        ("quiero el 7", (7,)),
        ("5, 5", (5, 5)),
        ("🎉 7 🎉", (7,)),
    ],
)
def test_numbers_in_many_shapes(text, numbers):
    assert buyer_text.parse(text) == NumbersRequest(numbers)


@pytest.mark.parametrize(
    ("text", "qty"),
    [
        ("random 5", 5),
        ("Random 5", 5),
        ("5 random", 5),
        ("al azar 5", 5),
        ("AZAR 5", 5),
        ("5 al azar", 5),
        ("dos al azar", 2),
        ("random three", 3),
        ("3 números al azar", 3),
        ("random", None),
        ("al azar", None),
    ],
)
def test_random_requests(text, qty):
    assert buyer_text.parse(text) == RandomRequest(qty)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("hi", Command.MENU),
        ("Hola!!", Command.MENU),
        ("hola buenas tardes", Command.MENU),
        ("MENÚ", Command.MENU),
        ("menu", Command.MENU),
        ("help", Command.HELP),
        ("¿Ayuda?", Command.HELP),
        ("atrás", Command.BACK),
        ("Volver", Command.BACK),
        ("back", Command.BACK),
        ("cancel", Command.CANCEL),
        ("CANCELAR", Command.CANCEL),
        ("my tickets", Command.TICKETS),
        ("Mis Boletos", Command.TICKETS),
        ("mis números", Command.TICKETS),
        ("agent", Command.AGENT),
        ("Asesor", Command.AGENT),
        ("humano", Command.AGENT),
        ("agente", Command.AGENT),
        ("results", Command.RESULTS),
        ("resultados", Command.RESULTS),
        ("english", Command.ENGLISH),
        ("Español", Command.SPANISH),
        ("espanol", Command.SPANISH),
        ("rifas", Command.RAFFLES),
        ("sí", Command.CONFIRM),
        ("pagar", Command.PAY),
    ],
)
def test_commands_in_both_languages_any_case_and_accents(text, command):
    assert buyer_text.parse(text) == command


@pytest.mark.parametrize(
    "text",
    ["I paid 500 at 3pm", "hello world 5", "5-", "-5", "random 2 3", "what?", "x" * 700, "1-"],
)
def test_things_that_are_not_understood(text):
    assert buyer_text.parse(text) is None


def test_three_tickets_is_ambiguous_and_huge_ranges_are_refused():
    assert buyer_text.parse("3 tickets") == QuantityOrNumber(3)
    assert buyer_text.parse("3 boletos") == QuantityOrNumber(3)
    assert isinstance(buyer_text.parse("1-100000"), buyer_text.TooMany)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50))
def test_numbers_in_ids_round_trip(numbers):
    assert buyer_text.decode_numbers(buyer_text.encode_numbers(numbers)) == tuple(
        sorted(set(numbers))
    )


def test_reply_ids():
    assert buyer_text.parse_reply_id("raffle:12") == buyer_text.ReplyAction("raffle", raffle_id=12)
    assert buyer_text.parse_reply_id("take:3:5.10-12") == buyer_text.ReplyAction(
        "take", raffle_id=3, numbers=(5, 10, 11, 12)
    )
    assert buyer_text.parse_reply_id("confirm:ABC123").code == "ABC123"
    assert buyer_text.parse_reply_id("menu") == Command.MENU
    for junk in ("raffle:x", "take:1:", "take:1:9-3", "nope", "", "random:1"):
        assert buyer_text.parse_reply_id(junk) is None


# --- Transitions ----------------------------------------------------------------------------------


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


def test_first_message_gets_the_welcome_menu_and_the_raffle_list(world):
    state, _, replies = run(world, "start", {}, T("quiero boletos"), first=True)
    assert state == "start"
    menu, listing = replies
    assert isinstance(menu, Buttons)
    assert [b.id for b in menu.buttons] == ["tickets", "help"]  # the list has *Raffles*
    assert "Ana" in menu.body
    assert isinstance(listing, List)
    assert [r.id for r in listing.rows] == ["raffle:1", "raffle:2"]


def test_hi_pick_random_reserves_in_three_messages(world):
    state, context, replies = run(
        world,
        "start",
        {},
        T("hi"),
        InboundEvent.list_pick("raffle:1"),
        T("random 2"),
        first=True,
    )
    assert state == "payment"  # she said how many: no *Confirm* step
    [reserved] = replies
    assert [b.id for b in reserved.buttons] == [f"cancel:{context['order']}", "agent", "help"]
    assert "Transfer to account 123" in reserved.body
    assert "00, 01" in reserved.body  # zero-padded
    assert "20.00 USD" in reserved.body
    assert "12:30" in reserved.body  # the hold, in local time (UTC in tests)


def test_one_raffle_on_sale_needs_no_pick(one):
    _, context, replies = run(one, "start", {}, T("5, 12"))
    assert context["order"]
    assert "005, 012" in replies[0].body


def test_numbers_before_a_raffle_are_kept_until_one_is_picked(world):
    state, context, replies = run(world, "start", {}, T("random 2"))
    assert state == "browsing"
    assert context["want"] == {"qty": 2}
    assert "Which raffle" in replies[0].body
    state, context, _ = run(world, state, context, InboundEvent.list_pick("raffle:2"))
    assert state == "payment"
    assert world.orders[context["order"]].raffle_id == 2


def test_new_numbers_before_confirming_ask_before_replacing_the_hold(one):
    state, context, _ = run(one, "start", {}, T("5"))
    first = context["order"]
    outcome = machine.handle(state, context, T("7, 8"), one)
    assert outcome.domain_effect is None
    assert "Keep my numbers" in str(outcome.replies)
    change = InboundEvent.button(f"change:{first}:1:7-8")
    outcome = machine.handle(state, context, change, one)
    assert outcome.domain_effect == Reserve(1, numbers=(7, 8), replace=first)
    state, context, replies = run(one, state, context, change)
    assert one.orders[first].status == "CANCELLED"
    assert f"previous hold {first} was released" in replies[0].body


def test_taken_numbers_offer_the_rest_and_nearby_ones(one):
    one.taken[1] = {5}
    state, context, [reply] = run(one, "raffle", {"raffle": 1}, T("5, 12"))
    assert state == "raffle"
    assert "005 was just taken" in reply.body
    ids = [b.id for b in reply.buttons]
    assert ids[0] == "take:1:12"  # take the others
    assert ids[1].startswith("take:1:")  # swap for the nearest free one
    assert ids[-1] == "pick:1"
    state, context, [reply] = run(one, state, context, InboundEvent.button("take:1:12"))
    assert state == "payment"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", "1000 is not a number of this raffle"),
        ("5, 5", "more than once"),
        ("1-20", "one order takes up to 10"),
        ("random 11", "one order takes up to 10"),
        ("random 0", "at least one"),
        ("3 tickets", "3 random numbers, or the number 003"),
    ],
)
def test_bad_numbers_are_explained(one, text, expected):
    state, _, replies = run(one, "raffle", {"raffle": 1}, T(text))
    assert state == "raffle"
    assert expected in replies[0].body


def test_confirm_moves_to_payment_and_a_proof_to_review(one):
    state, context, _ = run(one, "start", {}, T("5"))
    code = context["order"]
    state, context, [pay] = run(one, state, context, InboundEvent.button(f"confirm:{code}"))
    assert state == "payment"
    assert code in pay.body
    assert "Transfer to account 123" in pay.body
    assert "send a photo or a PDF" in pay.body
    outcome = machine.handle(state, context, InboundEvent.media_message("m1", "image/jpeg"), one)
    assert isinstance(outcome.domain_effect, AttachProof)
    state, context, [ack] = run(one, state, context, InboundEvent.media_message("m1", "image/jpeg"))
    assert state == "review"
    assert "Got it" in ack.body


def test_an_old_confirm_button_after_the_hold_expired(one):
    _, context, _ = run(one, "start", {}, T("5"))
    one.now = NOW + timedelta(hours=2)
    _, context, [reply] = run(one, "start", {}, InboundEvent.button(f"confirm:{context['order']}"))
    assert "expired" in reply.body
    assert reply.buttons[0].id == "take:1:5"


def test_a_raffle_that_closed_meanwhile(world):
    state, context, _ = run(world, "start", {}, InboundEvent.list_pick("raffle:1"))
    world.raffles[1] = make_raffle(1, title="Bike", selling=False)
    state, context, [reply] = run(world, state, context, T("5"))
    assert "not selling numbers any more" in reply.body
    assert state == "browsing"


def test_cancel_in_each_state(one):
    # In the middle of choosing: back to the menu.
    state, _, replies = run(one, "raffle", {"raffle": 1}, T("cancel"))
    assert state == "start"
    assert "OK, cancelled" in replies[0].body
    # With numbers on hold: the order is cancelled.
    state, context, _ = run(one, "start", {}, T("5"))
    outcome = machine.handle(state, context, T("cancelar"), one)
    assert outcome.domain_effect == Cancel(context["order"])
    state, _, [reply] = run(one, state, context, T("cancelar"))
    assert state == "start"
    assert "released" in reply.body
    # Nothing going on.
    _, _, [reply] = run(one, "start", {}, T("cancel"))
    assert "nothing to cancel" in reply.body


def test_agent_pauses_the_bot(one):
    outcome = machine.handle("raffle", {"raffle": 1}, T("asesor"), one)
    assert outcome.effects == (PauseBot(),)
    assert outcome.state == "start"
    assert "person" in outcome.replies[0].body


def test_language_switch_answers_in_the_new_language(one):
    outcome = machine.handle("start", {}, T("español"), one)
    assert outcome.effects == (SetLanguage("es"),)


def test_a_bare_number_while_paying_is_not_a_new_reservation(one):
    state, context, _ = run(one, "start", {}, T("5"))
    state, context, _ = run(one, state, context, T("confirm"))
    outcome = machine.handle(state, context, T("123456"), one)
    assert outcome.domain_effect is None
    assert "payment reference" in outcome.replies[0].body


def test_a_photo_without_an_order_asks_what_it_is_for(one):
    outcome = machine.handle("start", {}, InboundEvent.media_message("m", "image/jpeg"), one)
    assert outcome.domain_effect is None
    assert "what it is for" in outcome.replies[0].body


def test_an_unusable_file_is_explained(one):
    event = InboundEvent(kind=InboundEvent.media_message("m", "x").kind, media=Media(ok=False))
    outcome = machine.handle("payment", {"raffle": 1, "order": "X1"}, event, one)
    assert "photo (JPEG or PNG) or a PDF" in outcome.replies[0].body


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (T(""), "empty message"),
        (T("🎉🎉"), "😊"),
        (T("x" * 700), "long message"),
        (T("blah"), "didn't understand “blah”"),
        (InboundEvent.other("audio"), "audio"),
        (InboundEvent.other("sticker"), "sticker"),
        (InboundEvent.other("location"), "location"),
        (InboundEvent.other("contacts"), "contacts"),
        (InboundEvent.other("video"), "videos"),
        (InboundEvent.other("unsupported"), "kind of message"),
        (InboundEvent.button("weird:id"), "old message"),
    ],
)
def test_every_other_input_gets_an_answer(one, event, expected):
    outcome = machine.handle("raffle", {"raffle": 1}, event, one)
    assert outcome.state == "raffle"
    assert expected in outcome.replies[0].body
    # ... and says what the bot is waiting for.
    assert "Type the numbers you want" in outcome.replies[0].body


def test_more_than_ten_raffles_are_paged():
    world = FakeWorld(raffles={i: make_raffle(i) for i in range(1, 24)})
    _, context, [listing] = run(world, "start", {}, T("raffles"))
    assert len(listing.rows) == 10
    assert listing.rows[-1].id == "page:2"
    _, context, [listing] = run(world, "browsing", context, InboundEvent.list_pick("page:3"))
    assert [r.id for r in listing.rows][-1] == "page:1"
    assert context == {"page": 3}
    assert listing.rows[0].id == "raffle:19"


def test_back_goes_one_step_back(world):
    state, context, _ = run(world, "start", {}, T("raffles"), InboundEvent.list_pick("raffle:1"))
    assert state == "raffle"
    state, context, [listing] = run(world, state, context, T("volver"))
    assert state == "browsing"
    assert isinstance(listing, List)
    state, context, _ = run(world, state, context, T("back"))
    assert state == "start"


def test_spanish_replies_come_from_the_translations(one):
    with translation.override("es"):
        outcome = machine.handle("start", {}, T("hola"), one)
    assert "Bienvenido" in outcome.replies[0].body or "Bienvenida" in outcome.replies[0].body


def test_settle_maps_domain_errors(one):
    effect = Reserve(1, numbers=(5,))
    for error, expected in [
        (errors.NumbersTaken([5], [4, 6]), "005 was just taken"),
        (errors.RaffleNotActive(), "not selling"),
        (errors.NotEnoughNumbers(3, 0), "not selling"),
        (errors.NotEnoughNumbers(3, 2), "only 2 are left"),
        (errors.BuyerLimitExceeded(5, 4, 3), "up to 5 numbers"),
        (errors.RaffleError("boom"), "could not reserve"),
    ]:
        outcome = machine.settle("raffle", {"raffle": 1}, effect, error, one)
        assert expected in outcome.replies[0].body, error


def test_a_first_message_of_any_kind_gets_the_welcome(world):
    for event in (InboundEvent.other("audio"), T(""), InboundEvent.other("sticker")):
        outcome = machine.handle("start", {}, event, world, first_contact=True)
        menu, listing = outcome.replies
        assert "Welcome" in menu.body
        assert isinstance(listing, List)


# --- A first message that says what the buyer wants -------------------------------------------


@pytest.mark.parametrize("text", ["5 12", "2 random", "2 al azar", "2 aleatórios"])
def test_a_first_message_with_numbers_is_answered_with_the_welcome(one, text):
    state, context, replies = run(one, "start", {}, T(text), first=True)
    assert state == "payment"
    assert context["order"]
    body = " ".join(r.body for r in replies)
    assert "Ana" in body  # the welcome, folded into the answer
    assert "Reserved" in body or "reserved" in body


def test_a_first_message_naming_a_raffle_opens_it(world):
    name = world.raffles[2].title
    state, context, replies = run(world, "start", {}, T(f"quiero la {name}"), first=True)
    assert (state, context) == ("raffle", {"raffle": 2})
    assert "Ana" in replies[0].body
    assert name in replies[0].body
