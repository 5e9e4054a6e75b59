"""The lottery method, prize descriptions and early-bird draws through the services (the
database, the audit log, verification)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from raffles import services
from raffles.exceptions import AlreadyDrawn, InvalidInput, InvalidRaffleState, NoEntries
from raffles.models import Draw, EarlyDraw, OrderEvent, Raffle, WinnerClaim
from raffles.selectors import draw_summary, early_draw_summaries
from raffles.tests.drawing import sell
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db
LOTTERY = "lottery-digits-v1"
URL = "https://lottery.example.test/results"


def result(*numbers: str, days: int = 0, source: str = "Lotería Nacional") -> dict[str, object]:
    date = timezone.localdate() + timedelta(days=days)
    return {"numbers": list(numbers), "source": source, "url": URL, "date": date.isoformat()}


def lottery_raffle(*sold: list[int], fallback: str, prize_names: list[str] | None = None) -> Raffle:
    """A 00–99 raffle drawn by the lottery method; each list of numbers one paid order."""
    raffle = make_raffle(size=100, active=False)
    services.set_draw_setup(raffle, method=LOTTERY, fallback=fallback, prize_names=prize_names)
    raffle = services.activate_raffle(raffle=raffle)
    for numbers in sold:
        sell(raffle, numbers)
    return services.close_raffle(raffle)


def test_setup_is_published_at_activation_and_fixed_after():
    raffle = make_raffle(size=100, active=False)
    services.set_draw_setup(raffle, method=LOTTERY, fallback="redraw", prize_names="Car\nTV\n")
    draw = Draw.objects.get(raffle=raffle)
    assert (draw.method, draw.fallback, draw.seed, draw.prize_names) == (
        LOTTERY,
        "redraw",
        "",
        ["Car", "TV"],
    )
    assert not OrderEvent.objects.filter(raffle=raffle, kind="draw_committed").exists()
    services.activate_raffle(raffle=raffle)
    committed = OrderEvent.objects.get(raffle=raffle, kind="draw_committed")
    assert committed.details["fallback"] == "redraw"
    with pytest.raises(InvalidRaffleState):
        services.set_draw_setup(raffle, fallback="next-sold")
    services.set_draw_setup(raffle, prize_names=["Car", "TV", "Phone"])  # until the draw
    assert Draw.objects.get(raffle=raffle).prize_names == ["Car", "TV", "Phone"]


def test_lottery_needs_a_known_fallback():
    raffle = make_raffle(active=False)
    with pytest.raises(InvalidInput) as err:
        services.set_draw_setup(raffle, method=LOTTERY, fallback="coin")
    assert err.value.fields["field"] == "fallback"


def test_first_prize_wins_when_sold():
    raffle = lottery_raffle([5], [17], [42], fallback="next-prize")
    draw = services.draw_raffle(raffle, lottery_result=result("48317", "11105"))
    assert draw.winners == ["17"]
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.DRAWN
    assert WinnerClaim.objects.filter(raffle=raffle).count() == 1
    assert services.verify_draw(raffle).ok


def test_next_prize_fallback_and_several_prizes_with_descriptions():
    raffle = lottery_raffle([5], [17], [42], fallback="next-prize", prize_names=["Car", "TV"])
    draw = services.draw_raffle(raffle, lottery_result=result("12399", "48317", "77742"))
    assert draw.winners == ["17", "42"]
    summary = draw_summary(raffle)
    assert [(w.prize, w.label, w.prize_name) for w in summary.winners] == [
        (1, "17", "Car"),
        (2, "42", "TV"),
    ]
    assert services.verify_draw(raffle).ok


def test_next_sold_fallback_wraps_around():
    raffle = lottery_raffle([5], [17], fallback="next-sold")
    draw = services.draw_raffle(raffle, prizes=2, lottery_result=result("99999", "00017"))
    assert draw.winners == ["05", "17"]
    assert services.verify_draw(raffle).ok


def test_redraw_waits_for_the_next_date():
    raffle = lottery_raffle([5], [17], fallback="redraw")
    pending = services.draw_raffle(raffle, lottery_result=result("12399", "00017"))
    assert not pending.is_drawn
    assert pending.winners == []
    summary = draw_summary(raffle)
    assert summary.awaiting_result
    assert summary.stage == "frozen"
    assert not services.verify_draw(raffle).ok  # not drawn yet
    with pytest.raises(InvalidInput, match="later lottery draw"):
        services.draw_raffle(raffle, lottery_result=result("00005"))
    drawn = services.draw_raffle(raffle, lottery_result=result("00005", days=7))
    assert drawn.winners == ["05"]
    assert len(drawn.lottery_results) == 2
    assert services.verify_draw(raffle).ok
    assert OrderEvent.objects.filter(raffle=raffle, kind="lottery_result_entered").count() == 2


def test_same_result_again_is_idempotent_and_another_is_refused():
    raffle = lottery_raffle([5], [17], fallback="next-prize")
    first = services.draw_raffle(raffle, lottery_result=result("00017"))
    again = services.draw_raffle(raffle, lottery_result=result("00017"))
    assert again.winners == first.winners
    assert again.drawn_at == first.drawn_at
    with pytest.raises(AlreadyDrawn):
        services.draw_raffle(raffle, lottery_result=result("00005", days=1))


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"numbers": ["7"]}, "lottery_numbers"),  # fewer digits than the raffle's
        ({"numbers": ["12a45"]}, "lottery_numbers"),
        ({"url": "ftp://lottery.example.test"}, "lottery_url"),
        ({"source": ""}, "lottery_source"),
        ({"date": "yesterday"}, "lottery_date"),
        ({"date": "2000-01-01"}, "lottery_date"),  # before the list was frozen
    ],
)
def test_bad_results_are_refused_and_change_nothing(bad, field):
    raffle = lottery_raffle([5], fallback="next-prize")
    with pytest.raises(InvalidInput) as err:
        services.draw_raffle(raffle, lottery_result={**result("00005"), **bad})
    assert err.value.fields["field"] == field
    assert Draw.objects.get(raffle=raffle).lottery_results == []


def test_a_result_is_required_for_the_lottery_method():
    raffle = lottery_raffle([5], fallback="next-prize")
    with pytest.raises(InvalidInput):
        services.draw_raffle(raffle)


def test_verification_catches_a_changed_result():
    raffle = lottery_raffle([5], [17], fallback="next-prize")
    services.draw_raffle(raffle, lottery_result=result("00017"))
    Draw.objects.filter(raffle=raffle).update(lottery_results=[result("00005")])
    check = services.verify_draw(raffle)
    assert not check.ok
    assert any("differ from the stored" in p for p in check.problems)


def test_hmac_draws_take_prize_descriptions_too():
    raffle = make_raffle(size=100, active=False)
    services.set_draw_setup(raffle, prize_names=["Car", "TV"])
    raffle = services.activate_raffle(raffle=raffle)
    sell(raffle, [1, 2, 3])
    services.close_raffle(raffle)
    draw = services.draw_raffle(raffle, external_value="48213")  # one per description
    assert len(draw.winners) == 2
    assert [w.prize_name for w in draw_summary(raffle).winners] == ["Car", "TV"]
    assert services.verify_draw(raffle).ok


# --- Early-bird draws ---------------------------------------------------------------------


def _past_cutoff(early: EarlyDraw) -> None:
    """The cutoff passes (tests cannot wait): move it to now."""
    EarlyDraw.objects.filter(pk=early.pk).update(cutoff=timezone.now())
    early.refresh_from_db()


def test_early_bird_draw_among_numbers_paid_before_the_cutoff():
    raffle = make_raffle(size=100)
    early = services.create_early_draw(
        raffle,
        title="Paid by Friday",
        cutoff=timezone.now() + timedelta(days=1),
        prize_names=["Dinner"],
    )
    assert len(early.commitment) == 64
    sell(raffle, [3, 4])
    with pytest.raises(InvalidInput, match="cutoff has not passed"):
        services.draw_early(early, external_value="1")
    _past_cutoff(early)
    sell(raffle, [50])  # paid after the cutoff: not in this draw
    drawn = services.draw_early(early, external_value="48213")
    assert drawn.entries == "03\n04\n"
    assert drawn.winners[0] in {"03", "04"}
    assert services.verify_early_draw(drawn).ok
    (summary,) = early_draw_summaries(raffle)
    assert summary.title == "Paid by Friday"
    assert summary.winners[0].prize_name == "Dinner"
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.ACTIVE  # sales go on
    assert services.draw_early(drawn, external_value="48213").drawn_at == drawn.drawn_at
    out = StringIO()
    call_command("verify_draw", str(raffle.pk), stdout=out)
    assert "Early-bird draw" in out.getvalue()
    assert "Verification passed" in out.getvalue()
    EarlyDraw.objects.filter(pk=early.pk).update(winners=["50"])
    with pytest.raises(CommandError, match="differ from the stored"):
        call_command("verify_draw", str(raffle.pk), stdout=StringIO())


def test_early_bird_lottery_draw_follows_the_main_setup():
    raffle = make_raffle(size=100, active=False)
    services.set_draw_setup(raffle, method=LOTTERY, fallback="next-sold")
    raffle = services.activate_raffle(raffle=raffle)
    early = services.create_early_draw(
        raffle, title="Early", cutoff=timezone.now() + timedelta(hours=1)
    )
    assert (early.method, early.fallback, early.seed) == (LOTTERY, "next-sold", "")
    sell(
        raffle,
        [10],
    )
    sell(raffle, [20])
    _past_cutoff(early)
    drawn = services.draw_early(early, lottery_result=result("12315"))
    assert drawn.winners == ["20"]  # 15 unsold: nearest sold above
    assert services.verify_early_draw(drawn).ok


def test_early_bird_refusals():
    raffle = make_raffle(size=100)
    with pytest.raises(InvalidInput):
        services.create_early_draw(raffle, title="Late", cutoff=timezone.now() - timedelta(1))
    with pytest.raises(InvalidInput):
        services.create_early_draw(raffle, title=" ", cutoff=timezone.now() + timedelta(1))
    early = services.create_early_draw(
        raffle, title="Nobody", cutoff=timezone.now() + timedelta(hours=1)
    )
    _past_cutoff(early)
    with pytest.raises(NoEntries):
        services.draw_early(early, external_value="1")
    services.close_raffle(raffle)
    with pytest.raises(InvalidRaffleState):
        services.create_early_draw(raffle, title="X", cutoff=timezone.now() + timedelta(1))


def test_verify_command_checks_the_lottery_method():
    raffle = lottery_raffle([5], [17], fallback="next-prize")
    services.draw_raffle(raffle, lottery_result=result("00017"))
    out = StringIO()
    call_command("verify_draw", raffle.public_id, stdout=out)
    assert "Verification passed" in out.getvalue()
    assert "fallback next-prize" in out.getvalue()
