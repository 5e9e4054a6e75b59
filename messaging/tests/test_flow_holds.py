"""The pure core and the numbers a buyer holds: an amount or a payment note never releases
them, changing them always asks first, one unconfirmed order per raffle unless she adds one,
and "yes" outside the confirm step says what there is to confirm."""

from __future__ import annotations

from decimal import Decimal

import pytest

from messaging.bot.flow import machine, money_text
from messaging.bot.flow.events import InboundEvent
from messaging.testing.world import FakeWorld, converse, make_raffle

T = InboundEvent.text_message
B = InboundEvent.button


@pytest.fixture
def big() -> FakeWorld:
    raffle = make_raffle(1, title="Bike", max_number=9999, left=10000, price=Decimal("750.00"))
    return FakeWorld(raffles={1: raffle})


@pytest.fixture
def one() -> FakeWorld:
    return FakeWorld(raffles={1: make_raffle(1, title="Bike", max_number=999, left=1000)})


def run(world, state, context, *events):
    replies = []
    for event in events:
        turn = converse(world, state, context, event)
        state, context = turn.outcome.state, turn.outcome.context
        replies = list(turn.replies)
    return state, context, replies


def text_of(replies) -> str:
    return "\n".join(r.body for r in replies)


def ids_of(replies) -> list[str]:
    return [b.id for r in replies for b in getattr(r, "buttons", ())]


def live(world: FakeWorld) -> list[str]:
    return sorted(o.code for o in world.live_orders())


def hold(world: FakeWorld, numbers: str = "42, 777") -> tuple[str, dict]:
    """Reserved (straight to the payment details), then *back* to the confirm step."""
    state, context, _ = run(world, "start", {}, T(numbers))
    assert state == "payment"
    state, context, _ = run(world, state, context, T("back"))
    assert state == "confirm"
    return state, context


# --- Defect 2: an amount or a payment note is answered as such ---------------------------------


@pytest.mark.parametrize(
    "text",
    ["$1.500", "1,500.00", "R$ 25,00", "25.50", "1e3", "2.5e1", "USD 1500", "1.500,00"],
)
def test_amounts_are_money(text):
    assert money_text.classify(text, due=None) == money_text.MONEY


@pytest.mark.parametrize(
    "text", ["ya pagué", "Pagado", "paid", "transferí", "Paguei", "I paid 500 at 3pm"]
)
def test_payment_notes(text):
    assert money_text.classify(text, due=None) == money_text.NOTE


@pytest.mark.parametrize("text", ["5,12,99", "5 12 99", "05, 12", "10-15", "7", "random 2", "hi"])
def test_plain_lists_stay_numbers(text):
    assert money_text.classify(text, due=Decimal("1500.00")) is None


def test_a_number_equal_to_the_amount_due_is_money():
    assert money_text.classify("1500", due=Decimal("1500.00")) == money_text.MONEY
    assert money_text.classify("20", due=Decimal("20.00")) == money_text.MONEY
    assert money_text.classify("20", due=Decimal("20.50")) is None
    assert money_text.classify("20", due=None) is None


@pytest.mark.parametrize(
    "text",
    [
        "$1.500",
        "1,500.00",
        "R$ 25,00",
        "25.50",
        "1e3",
        "2.5e1",
        "1500",
        "ya pagué",
        "pagado",
        "paid",
        "transferí",
        "paguei",
    ],
)
@pytest.mark.parametrize("step", ["confirm", "payment", "start"])
def test_an_amount_or_a_payment_note_never_releases_held_numbers(big, text, step):
    state, context = hold(big)
    code = context["order"]
    if step == "payment":
        state, context, _ = run(big, state, context, B(f"confirm:{code}"))
    elif step == "start":
        state, context, _ = run(big, state, context, T("menu"))
    assert machine.handle(state, context, T(text), big).domain_effect is None
    state, context, replies = run(big, state, context, T(text))
    assert live(big) == [code]
    assert big.orders[code].raw_numbers == (42, 777)
    body = text_of(replies)
    assert code in body
    assert "1,500.00 USD" in body  # the amount due
    assert "photo or a PDF of the receipt" in body
    assert state == "payment"
    assert context["order"] == code


def test_an_amount_with_nothing_to_pay_reserves_nothing(one):
    outcome = machine.handle("raffle", {"raffle": 1}, T("$1.500"), one)
    assert outcome.domain_effect is None
    assert "amount" in text_of(outcome.replies)
    outcome = machine.handle("start", {}, T("ya pagué"), one)
    assert outcome.domain_effect is None
    assert "no order waiting for payment" in text_of(outcome.replies)


def test_a_note_while_a_receipt_is_checked_says_so(one):
    state, context = hold(one, "5")
    state, context, _ = run(one, state, context, InboundEvent.media_message("m1", "image/jpeg"))
    assert state == "review"
    _, _, replies = run(one, state, context, T("ya pagué"))
    assert "checking" in text_of(replies)


# --- Defect 2: changing the numbers of a held order always asks first ---------------------------


def test_changing_the_numbers_of_a_held_order_asks_first(one):
    state, context = hold(one, "5")
    first = context["order"]
    outcome = machine.handle(state, context, T("7, 8"), one)
    assert outcome.domain_effect is None
    assert first in text_of(outcome.replies)
    assert "005" in text_of(outcome.replies)
    assert ids_of(outcome.replies) == [
        f"keep:{first}",
        f"change:{first}:1:7-8",
        f"add:1:7-8:{first}",
    ]
    titles = [b.title for r in outcome.replies for b in getattr(r, "buttons", ())]
    assert titles == ["Keep my numbers", "Change", "Add another order"]
    # Change: the old hold is released and the new one made, and the reply says so.
    state, context, replies = run(one, state, context, B(f"change:{first}:1:7-8"))
    assert one.orders[first].is_cancelled
    assert live(one) == [context["order"]]
    assert f"previous hold {first} was released" in text_of(replies)


def test_keep_my_numbers_keeps_them(one):
    state, context = hold(one, "5")
    first = context["order"]
    state, context, _ = run(one, state, context, T("7, 8"), B(f"keep:{first}"))
    assert live(one) == [first]
    assert context["order"] == first


# --- Defect 3: one unconfirmed order per raffle unless she adds one -----------------------------


def test_random_then_a_quantity_never_keeps_a_second_hold_silently(one):
    state, context = hold(one, "5")
    first = context["order"]
    state, context, replies = run(one, state, context, T("random"), T("2"))
    assert live(one) == [first]
    assert first in text_of(replies)
    assert ids_of(replies) == [f"keep:{first}", f"change:{first}:1:r2", f"add:1:r2:{first}"]


def test_taking_the_rest_after_a_clash_never_keeps_a_second_hold_silently(one):
    state, context = hold(one, "5")
    first = context["order"]
    one.taken[1] = {7}
    state, context, replies = run(one, state, context, T("7, 8"), B(f"change:{first}:1:7-8"))
    assert "007 was just taken" in text_of(replies)
    assert live(one) == [first]
    # The rest, after a clash in a change: still a change, never a second hold.
    take = ids_of(replies)[0]
    assert take == f"change:{first}:1:8"
    state, context, replies = run(one, state, context, B(take))
    assert live(one) == [context["order"]]
    assert one.orders[first].is_cancelled
    # An old plain "take" button with a hold in the raffle asks first.
    second = context["order"]
    _, _, replies = run(one, "raffle", {"raffle": 1}, B("take:1:20"))
    assert live(one) == [second]
    assert ids_of(replies) == [f"keep:{second}", f"change:{second}:1:20", f"add:1:20:{second}"]


def test_adding_an_order_is_explicit_and_every_hold_is_named(one):
    state, context = hold(one, "5")
    first = context["order"]
    state, context, replies = run(one, state, context, B("add:1:7-8"))
    second = context["order"]
    assert live(one) == sorted([first, second])
    body = text_of(replies)
    assert first in body
    assert "005" in body
    assert second in body
    assert "007, 008" in body
    # A third request asks again and names both holds (no *Change* with two of them).
    _, _, replies = run(one, state, context, T("9"))
    body = text_of(replies)
    assert first in body
    assert second in body
    assert len(one.live_orders()) == 2
    assert f"add:1:9:{second}" in ids_of(replies)


# --- Defect 5: "yes" outside the confirm step ------------------------------------------------


@pytest.mark.parametrize("word", ["confirm", "yes", "sí", "sim", "ok"])
def test_yes_outside_the_confirm_step_says_what_there_is_to_confirm(one, word):
    for state, context in (("raffle", {"raffle": 1}), ("browsing", {}), ("start", {})):
        outcome = machine.handle(state, context, T(word), one)
        body = text_of(outcome.replies)
        assert "👍" not in body
        assert "nothing to confirm" in body
        assert "raffles" in ids_of(outcome.replies)
    state, context = hold(one, "5")
    code = context["order"]
    state, context, _ = run(one, state, context, B(f"confirm:{code}"))
    for where in ((state, context), ("raffle", {"raffle": 1}), ("start", {})):
        outcome = machine.handle(*where, T(word), one)
        body = text_of(outcome.replies)
        assert "👍" not in body
        assert code in body
        assert "10.00 USD" in body
        assert "photo or a PDF of the receipt" in body
        assert outcome.domain_effect is None


@pytest.mark.parametrize("text", ["5,12", "1,500", "07,99"])
def test_comma_forms_are_numbers_when_no_order_waits(text):
    """ "5,12" is two numbers to a buyer with nothing to pay, and an amount to one whose order
    waits for payment: only then is it read as money (it never releases numbers)."""
    assert money_text.classify(text, due=None) is None
    assert money_text.classify(text, due=Decimal("20.00")) == money_text.MONEY
