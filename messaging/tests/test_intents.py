"""Everyday messages: the intent layer (pure, table-driven in en/es/pt, typos, no accents)
and its answers through the core."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import translation

from messaging.bot.flow import intents, machine
from messaging.bot.flow.effects import OptOut, PauseBot
from messaging.bot.flow.events import InboundEvent
from messaging.bot.flow.intents import FaqView, Intent
from messaging.bot.flow.states import PAYMENT, REVIEW, START
from messaging.testing.world import FakeWorld, converse, make_raffle

T = InboundEvent.text_message

# --- Matching (pure) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # payment status
        ("did you get my payment?", Intent.PAYMENT_STATUS),
        ("did you get my paymnet", Intent.PAYMENT_STATUS),
        ("¿Recibieron mi pago?", Intent.PAYMENT_STATUS),
        ("recibieron mi pago", Intent.PAYMENT_STATUS),
        ("llegó mi transferencia?", Intent.PAYMENT_STATUS),
        ("vocês receberam meu pagamento?", Intent.PAYMENT_STATUS),
        ("receberam meu pagamneto", Intent.PAYMENT_STATUS),
        # thanks
        ("gracias", Intent.THANKS),
        ("Muchas gracias!!", Intent.THANKS),
        ("gracais", Intent.THANKS),
        ("thanks a lot", Intent.THANKS),
        ("thank you", Intent.THANKS),
        ("obrigada", Intent.THANKS),
        ("valeu", Intent.THANKS),
        # price
        ("cuánto cuesta", Intent.PRICE),
        ("cuanto cuesta", Intent.PRICE),
        ("how much is a ticket?", Intent.PRICE),
        ("whats the pricee", Intent.PRICE),
        ("quanto custa?", Intent.PRICE),
        ("qual o preço", Intent.PRICE),
        # draw date
        ("when is the draw", Intent.DRAW_DATE),
        ("¿Cuándo es el sorteo?", Intent.DRAW_DATE),
        ("cuando es el sorteo", Intent.DRAW_DATE),
        ("quando é o sorteio?", Intent.DRAW_DATE),
        ("data do soretio", Intent.DRAW_DATE),
        # my numbers
        ("what are my numbers", Intent.MY_NUMBERS),
        ("cuáles son mis números", Intent.MY_NUMBERS),
        ("que numeros tengo", Intent.MY_NUMBERS),
        ("quais são meus números", Intent.MY_NUMBERS),
        # human
        ("quiero hablar con alguien", Intent.HUMAN),
        ("I want to talk to a real person", Intent.HUMAN),
        ("quero falar com um atendente", Intent.HUMAN),
        ("quero falar com alguém", Intent.HUMAN),
        # opt-out
        ("stop", Intent.OPT_OUT),
        ("STOP!", Intent.OPT_OUT),
        ("baja", Intent.OPT_OUT),
        ("quiero darme de baja", Intent.OPT_OUT),
        ("no más mensajes por favor", Intent.OPT_OUT),
        ("no quiero mensajes", Intent.OPT_OUT),
        # opt back in
        ("subscribe", Intent.OPT_IN),
        ("quiero darme de alta", Intent.OPT_IN),
        ("quero receber mensagens", Intent.OPT_IN),
        ("unsubscribe", Intent.OPT_OUT),
        ("unsubscibe", Intent.OPT_OUT),
        ("parar", Intent.OPT_OUT),
        ("não quero mensagens", Intent.OPT_OUT),
        # help
        ("how does this work? help", Intent.HELP),
        ("no entiendo", Intent.HELP),
        ("não entendi", Intent.HELP),
        ("ajuda por favor", Intent.HELP),
        # prizes
        ("premios", Intent.PRIZES),
        ("¿Cuál es el premio?", Intent.PRIZES),
        ("que premios hay", Intent.PRIZES),
        ("what are the prizes?", Intent.PRIZES),
        ("quais são os prêmios", Intent.PRIZES),
        ("reclamar premio", Intent.CLAIM),  # the longer pattern: claiming, not asking
        ("claim my prize", Intent.CLAIM),
        # priority: the longer pattern, then the stronger intent
        ("thanks, when is the draw?", Intent.DRAW_DATE),
        ("stop, thanks", Intent.OPT_OUT),
    ],
)
def test_everyday_messages(text, intent):
    assert intents.match_intent(text) == intent


@pytest.mark.parametrize(
    "text", ["hola que tal", "5 12", "blue", "cuando", "pizza please", "xyz", "ya"]
)
def test_nothing_is_guessed(text):
    assert intents.match_intent(text) is None


@pytest.mark.parametrize(
    ("word", "known", "same"),
    [
        ("paymnet", "payment", True),  # swap
        ("paymen", "payment", True),  # missing
        ("paymennt", "payment", True),  # extra
        ("paiment", "payment", True),  # wrong
        ("pymnt", "payment", False),  # two edits
        ("stp", "stop", False),  # short words are exact
        ("cuando", "cuanto", False),  # a known word is never a typo of another
    ],
)
def test_one_typo_on_long_words(word, known, same):
    assert intents.similar(word, known) is same


FAQS = (
    FaqView(
        1,
        ("prize delivery", "entrega premio", "entrega prêmio"),
        {"en": "We deliver.", "es": "Lo entregamos."},
    ),
    FaqView(2, ("bank account", "cuenta banco"), {"es": "Banco X."}),
)


@pytest.mark.parametrize(
    ("text", "faq_id"),
    [
        ("how is the prize delivery done?", 1),
        ("¿Cómo es la entrega del premio?", 1),
        ("como é a entrega do prêmio", 1),
        ("entrega del premoi", 1),
        ("which bank account?", 2),
        ("cuenta del banco", 2),
    ],
)
def test_faq_matching(text, faq_id):
    found = intents.match(text, FAQS)
    assert found is not None
    assert found.faq is not None
    assert found.faq.id == faq_id


def test_built_in_intents_come_before_faqs():
    faq = FaqView(3, ("price",), {"en": "Staff price."})
    found = intents.match("what is the price", (faq,))
    assert found == intents.Match(intent=Intent.PRICE)


def test_faq_answer_falls_back_to_english_then_any():
    assert FAQS[0].answer("es") == "Lo entregamos."
    assert FAQS[0].answer("pt-br") == "We deliver."
    assert FAQS[1].answer("en") == "Banco X."


# --- Through the core -----------------------------------------------------------------------


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld(raffles={1: make_raffle(1, title="Bike", max_number=999, left=1000)})


def say(world, state, context, text):
    return converse(world, state, context, T(text))


def body(turn) -> str:
    return "\n".join(r.body for r in turn.replies)


def held(world: FakeWorld) -> tuple[str, dict]:
    turn = say(world, START, {}, "42, 777")
    assert "order" in turn.outcome.context
    return turn.outcome.state, turn.outcome.context


@pytest.mark.parametrize(
    "text",
    ["did you get my payment?", "gracias", "cuánto cuesta", "when is the draw", "stop", "baja"],
)
def test_everyday_messages_are_not_misunderstood_in_any_state(world, text):
    for state, context in ((START, {}), held(world)):
        turn = say(world, state, context, text)
        assert "didn't understand" not in body(turn)


def test_payment_status_names_the_waiting_order(world):
    _state, context = held(world)
    code = context["order"]
    turn = say(world, START, {}, "did you get my payment?")
    assert code in body(turn)
    assert "receipt" in body(turn)
    assert turn.outcome.state == PAYMENT
    assert world.orders[code].numbers == ("042", "777")  # nothing released


def test_payment_status_while_the_receipt_is_checked(world):
    _state, context = held(world)
    code = context["order"]
    world.orders[code] = replace(world.orders[code], proof_received=True)
    turn = say(world, START, {}, "recibieron mi pago?")
    assert turn.outcome.state == REVIEW
    assert code in body(turn)


def test_payment_status_with_nothing_to_pay(world):
    turn = say(world, START, {}, "did you get my payment?")
    assert "no order waiting for payment" in body(turn)


def test_price_and_draw_date(world):
    assert "10.00" in body(say(world, START, {}, "cuanto cuesta"))
    draw = body(say(world, START, {}, "when is the draw"))
    assert "Bike" in draw
    assert "2030" in draw


def test_my_numbers_lists_them(world):
    _state, _context = held(world)
    assert "042" in body(say(world, START, {}, "what are my numbers"))


def test_human_hands_over(world):
    turn = say(world, START, {}, "quiero hablar con alguien")
    assert any(isinstance(e, PauseBot) for e in turn.outcome.effects)


def test_opt_out_is_recorded_and_confirmed(world):
    turn = say(world, START, {}, "stop")
    assert OptOut() in turn.outcome.effects
    assert "won't" in body(turn)


def test_thanks_and_help(world):
    assert "welcome" in body(say(world, START, {}, "thank you!"))
    assert "menu" in body(say(world, START, {}, "no entiendo"))


def test_a_staff_faq_is_answered_in_the_buyers_language(world):
    world.faq_entries = [
        FaqView(
            1, ("prize delivery", "entrega premio"), {"en": "We deliver.", "es": "Lo entregamos."}
        )
    ]
    assert "We deliver." in body(say(world, START, {}, "prize delivery?"))
    with translation.override("es"):
        assert "Lo entregamos." in body(say(world, START, {}, "entrega del premio?"))


def test_an_unknown_text_is_still_unknown(world):
    assert "didn't understand" in body(say(world, START, {}, "pizza please"))


def test_a_payment_note_is_still_the_money_helpers(world):
    state, context = held(world)
    turn = say(world, state, context, "ya pagué")
    assert turn.outcome.state == PAYMENT
    assert machine.is_valid(turn.outcome.state, turn.outcome.context)
