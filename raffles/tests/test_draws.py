"""Verifiable draws: commitment, frozen list, draw, refusals, verification (services)."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from raffles import services, signals
from raffles.exceptions import (
    AlreadyDrawn,
    DrawNotFound,
    EntriesFrozen,
    InvalidInput,
    InvalidOrderState,
    NoEntries,
    PaymentsPending,
    RaffleError,
    RaffleNotClosed,
    TooManyPrizes,
)
from raffles.models import Draw, Order, OrderEvent, Raffle
from raffles.selectors import buyer_drawn_raffles, draw_summary
from raffles.tests.drawing import closed_raffle, doc_entries, doc_sha, doc_winners, sell
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("ana", password="x", is_staff=True)


@pytest.fixture
def drawn_signals():
    received = []

    def listener(sender, raffle, **kwargs):
        received.append(raffle)

    signals.raffle_drawn.connect(listener)
    yield received
    signals.raffle_drawn.disconnect(listener)


# --- Commitment ----------------------------------------------------------------------------


def test_activation_commits_to_a_secret_seed():
    raffle = make_raffle(active=False)
    assert not Draw.objects.filter(raffle=raffle).exists()
    assert draw_summary(raffle) is None
    services.activate_raffle(raffle=raffle)
    draw = Draw.objects.get(raffle=raffle)
    assert len(draw.seed) == 64
    assert draw.commitment == hashlib.sha256(draw.seed.encode()).hexdigest()
    event = OrderEvent.objects.get(raffle=raffle, kind="draw_committed")
    assert event.details["commitment"] == draw.commitment
    assert draw.seed not in str(event.details)
    summary = draw_summary(raffle)
    assert summary.stage == "committed"
    assert summary.commitment == draw.commitment
    assert summary.seed is None
    assert draw.seed not in repr(summary)
    # Activating again (idempotent) keeps the seed.
    services.activate_raffle(raffle=raffle)
    assert Draw.objects.get(raffle=raffle).seed == draw.seed


def test_each_raffle_gets_its_own_seed():
    assert make_raffle().draw.seed != make_raffle().draw.seed


# --- Refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Raffle.Status.DRAFT, Raffle.Status.ACTIVE])
def test_draw_refused_before_close(status, buyer):
    raffle = make_raffle(active=status == Raffle.Status.ACTIVE)
    if status == Raffle.Status.ACTIVE:
        sell(raffle, [1, 2], buyer)
    with pytest.raises(RaffleNotClosed) as err:
        services.draw_raffle(raffle, external_value="1", prizes=1)
    assert err.value.to_dict()["code"] == "raffle_not_closed"
    with pytest.raises(RaffleNotClosed):
        services.freeze_entries(raffle)
    raffle.refresh_from_db()
    assert raffle.status == status


def test_draw_refused_while_a_proof_waits_for_review(buyer, other_buyer):
    raffle = make_raffle()
    sell(raffle, [1, 2], buyer)
    waiting = services.reserve_specific(raffle.pk, [5], other_buyer)
    services.attach_payment_proof(waiting, content=PNG, mime_type="image/png")
    raffle = services.close_raffle(raffle)
    with pytest.raises(PaymentsPending) as err:
        services.draw_raffle(raffle, external_value="1", prizes=1)
    assert err.value.orders == [waiting.code]
    assert err.value.to_dict() == {
        "detail": err.value.message,
        "code": "payments_pending",
        "orders": [waiting.code],
    }
    assert not Draw.objects.get(raffle=raffle).is_frozen


def test_draw_refused_while_a_hold_still_runs(buyer, other_buyer):
    raffle = make_raffle()
    sell(raffle, [1, 2], buyer)
    live = services.reserve_specific(raffle.pk, [5], other_buyer)
    raffle = services.close_raffle(raffle)
    with pytest.raises(PaymentsPending) as err:
        services.freeze_entries(raffle)
    assert err.value.orders == [live.code]


def test_an_expired_hold_does_not_block(buyer, other_buyer):
    raffle = make_raffle()
    sell(raffle, [1, 2], buyer)
    gone = services.reserve_specific(raffle.pk, [5], other_buyer)
    services.expire_reservations(gone.expires_at + timedelta(seconds=1))
    raffle = services.close_raffle(raffle)
    draw = services.freeze_entries(raffle)
    assert draw.entries == "01\n02\n"
    assert draw.excluded == []


def test_staff_may_exclude_pending_orders_explicitly(buyer, other_buyer, staff):
    raffle = make_raffle()
    sell(raffle, [1, 2], buyer)
    waiting = services.reserve_specific(raffle.pk, [5, 6], other_buyer)
    services.attach_payment_proof(waiting, content=PNG, mime_type="image/png")
    raffle = services.close_raffle(raffle)
    draw = services.draw_raffle(
        raffle, external_value="99", prizes=1, exclude_pending=True, by=staff
    )
    assert draw.entries == "01\n02\n"
    assert draw.excluded == [{"order": waiting.code, "numbers": [5, 6]}]
    assert draw.winners[0] in {"01", "02"}
    assert draw_summary(raffle).excluded_numbers == (5, 6)
    frozen = OrderEvent.objects.get(raffle=raffle, kind="entries_frozen")
    assert frozen.details["excluded_orders"] == [waiting.code]
    assert frozen.actor_user == staff
    # The excluded order leaves "pending": cancelled with the reason, never paid now.
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.CANCELLED
    assert "Excluded from the draw" in waiting.closed_reason
    with pytest.raises(InvalidOrderState):
        services.confirm_paid(waiting, by=staff)


def test_no_payment_is_confirmed_once_the_list_is_frozen(buyer, other_buyer):
    raffle = make_raffle()
    sell(raffle, [1], buyer)
    late = services.reserve_specific(raffle.pk, [9], other_buyer)
    services.expire_reservations(late.expires_at + timedelta(seconds=1))
    raffle = services.close_raffle(raffle)
    services.freeze_entries(raffle)
    with pytest.raises(EntriesFrozen):
        services.confirm_paid(late)
    late.refresh_from_db()
    assert late.status == Order.Status.EXPIRED
    assert services.verify_draw(raffle).problems == ["the raffle was not drawn yet"]


def test_payment_before_the_freeze_still_counts(buyer, other_buyer):
    raffle = make_raffle()
    sell(raffle, [1], buyer)
    order = services.reserve_specific(raffle.pk, [9], other_buyer)
    raffle = services.close_raffle(raffle)
    services.confirm_paid(order)  # allowed: the list is not frozen yet
    assert services.freeze_entries(raffle).entries == "01\n09\n"


def test_draw_refused_without_sold_numbers(buyer):
    raffle = make_raffle()
    order = services.reserve_specific(raffle.pk, [3], buyer)
    services.cancel_order(order)
    raffle = services.close_raffle(raffle)
    with pytest.raises(NoEntries):
        services.draw_raffle(raffle, external_value="1", prizes=1)
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.CLOSED


def test_draw_refused_with_more_prizes_than_numbers():
    raffle = closed_raffle([1, 2], [3])
    with pytest.raises(TooManyPrizes) as err:
        services.draw_raffle(raffle, external_value="1", prizes=4)
    assert (err.value.prizes, err.value.entries) == (4, 3)
    assert err.value.http_status == 400
    draw = Draw.objects.get(raffle=raffle)
    assert not draw.is_drawn
    assert not draw.is_frozen  # a refused draw changes nothing


@pytest.mark.parametrize(
    ("external", "prizes"),
    [("1", 0), ("1", -1), ("1", True), ("1", "2"), ("x" * 201, 1), ("a\nb", 1), ("1", 1001)],
)
def test_draw_refuses_invalid_parameters(external, prizes):
    raffle = closed_raffle([1, 2])
    with pytest.raises(InvalidInput):
        services.draw_raffle(raffle, external_value=external, prizes=prizes)


def test_every_refusal_is_a_specific_raffle_error():
    for cls in (RaffleNotClosed, PaymentsPending, NoEntries, TooManyPrizes, AlreadyDrawn):
        assert issubclass(cls, RaffleError)
        assert cls.code != RaffleError.code


# --- Draw ----------------------------------------------------------------------------------


def test_end_to_end_open_sell_close_draw_verify(staff, drawn_signals):
    raffle = make_raffle(size=1000)
    a, b = BuyerFactory(), BuyerFactory()
    sell(raffle, [5, 700, 42], a)
    sell(raffle, [999, 0], b)
    raffle = services.close_raffle(raffle, by=staff)
    frozen = services.freeze_entries(raffle, by=staff)
    assert frozen.entries == "000\n005\n042\n700\n999\n"
    assert frozen.entries_hash == doc_sha(frozen.entries)
    assert draw_summary(raffle).stage == "frozen"
    assert draw_summary(raffle).seed is None

    draw = services.draw_raffle(raffle, external_value="Loto 31-07-44", prizes=3, by=staff)
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.DRAWN
    assert drawn_signals == [raffle]
    # Recomputed independently, from the published values only.
    assert doc_sha(draw.seed) == draw.commitment
    assert draw.winners == doc_winners(draw.seed, "Loto 31-07-44", frozen.entries, 3)
    assert len(set(draw.winners)) == 3

    summary = draw_summary(raffle)
    assert summary.stage == "drawn"
    assert summary.seed == draw.seed
    assert [w.label for w in summary.winners] == draw.winners
    assert [w.prize for w in summary.winners] == [1, 2, 3]
    owners = {w.number: w.buyer_id for w in summary.winners}
    assert all(owners[n] == (a.pk if n in (5, 700, 42) else b.pk) for n in owners)
    assert summary.winners_of(a) == [w for w in summary.winners if w.buyer_id == a.pk]
    assert list(buyer_drawn_raffles(a)) == [raffle]
    assert list(buyer_drawn_raffles(BuyerFactory())) == []

    event = OrderEvent.objects.get(raffle=raffle, kind="raffle_drawn")
    assert event.details["seed"] == draw.seed
    assert event.details["winners"] == draw.winners
    assert services.verify_draw(raffle).ok


def test_drawing_again_returns_the_stored_result(drawn_signals):
    raffle = closed_raffle([1, 2, 3], [4, 5])
    first = services.draw_raffle(raffle, external_value=" 123 ", prizes=2)
    again = services.draw_raffle(raffle, external_value="123", prizes=2)
    assert again.pk == first.pk
    assert again.winners == first.winners
    assert again.drawn_at == first.drawn_at
    assert OrderEvent.objects.filter(raffle=raffle, kind="raffle_drawn").count() == 1
    assert len(drawn_signals) == 1


@pytest.mark.parametrize(("external", "prizes"), [("124", 2), ("123", 1), ("123", 3)])
def test_drawing_again_with_other_parameters_is_refused(external, prizes):
    raffle = closed_raffle([1, 2, 3], [4, 5])
    first = services.draw_raffle(raffle, external_value="123", prizes=2)
    with pytest.raises(AlreadyDrawn) as err:
        services.draw_raffle(raffle, external_value=external, prizes=prizes)
    assert err.value.to_dict()["external_value"] == "123"
    assert err.value.to_dict()["prizes"] == 2
    assert Draw.objects.get(raffle=raffle).winners == first.winners


def test_result_does_not_depend_on_database_order():
    """Same numbers sold in other orders and order sizes, same seed: same list, same winners."""
    numbers = list(range(3, 90, 4))
    shuffled = numbers[:]
    random.Random(7).shuffle(shuffled)
    one = closed_raffle(*[[n] for n in numbers])
    two = closed_raffle(shuffled[:5], shuffled[5:9], *[[n] for n in shuffled[9:]])
    Draw.objects.filter(raffle=two).update(seed=one.draw.seed, commitment=one.draw.commitment)
    a = services.draw_raffle(one, external_value="555", prizes=5)
    b = services.draw_raffle(two, external_value="555", prizes=5)
    assert a.entries == b.entries == doc_entries(numbers, 2)
    assert a.entries_hash == b.entries_hash
    assert a.winners == b.winners


def test_a_raffle_activated_before_draws_existed_commits_late():
    raffle = closed_raffle([1, 2])
    Draw.objects.filter(raffle=raffle).delete()
    OrderEvent.objects.filter(raffle=raffle, kind="draw_committed").delete()
    draw = services.draw_raffle(raffle, external_value="1", prizes=1)
    assert draw.is_drawn
    assert services.verify_draw(raffle).ok


# --- Verification --------------------------------------------------------------------------


def test_verify_before_any_draw():
    with pytest.raises(DrawNotFound):
        services.verify_draw(make_raffle(active=False))


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"seed": "0" * 64}, id="seed"),
        pytest.param({"entries": "01\n02\n04\n"}, id="list"),
        pytest.param({"entries": "01\n04\n", "entries_hash": doc_sha("01\n04\n")}, id="list+hash"),
        pytest.param({"external_value": "other"}, id="external"),
        pytest.param({"winners": "another"}, id="winners"),
    ],
)
def test_tampering_is_detected(tamper):
    raffle = closed_raffle([1, 2], [3])
    draw = services.draw_raffle(raffle, external_value="42", prizes=1)
    assert services.verify_draw(raffle).ok
    if tamper.get("winners") == "another":
        tamper = {"winners": [next(n for n in ("01", "02", "03") if n != draw.winners[0])]}
    Draw.objects.filter(raffle=raffle).update(**tamper)
    result = services.verify_draw(raffle)
    assert not result.ok
    assert result.problems
