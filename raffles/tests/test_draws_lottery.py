"""The lottery method (raffles/draw_lottery.py): property tests against a re-implementation
written here from docs/draws.md, by other means (integers, stepping one number at a time),
so the production function is never checked against itself. No database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raffles import draw_lottery
from raffles.tests.drawing import doc_entries

FALLBACKS = ["next-prize", "next-sold", "redraw"]


def reference(
    results: list[list[str]], sold: set[int], width: int, prizes: int, fallback: str
) -> tuple[list[str], bool]:
    """docs/draws.md, "The lottery method", written again with integers: a ticket is the
    lottery number modulo 10**width; "nearest sold above, wrapping" steps +1 modulo
    10**width until a sold number that has not won."""
    space = 10**width
    won: list[int] = []
    for draw in results:
        position = 0
        while position < len(draw) and len(won) < prizes:
            ticket = int(draw[position]) % space
            if ticket in sold and ticket not in won:
                won.append(ticket)
            elif fallback == "next-sold":
                candidate = ticket
                while candidate not in sold or candidate in won:
                    candidate = (candidate + 1) % space
                won.append(candidate)
            elif fallback == "redraw":
                position = len(draw)  # the next date decides
                continue
            position += 1
    return [str(n).zfill(width) for n in won], len(won) == prizes


@st.composite
def lottery_cases(draw: st.DrawFn) -> tuple[list[list[str]], set[int], int, int, str]:
    width = draw(st.integers(1, 4))
    space = 10**width
    # Small pools make unsold numbers and repeats frequent, so every fallback path runs.
    sold = draw(st.sets(st.integers(0, min(space, 60) - 1), min_size=1, max_size=12))
    digits = st.integers(width, width + 4)
    number = digits.flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))
    # Some lottery numbers end in a sold number, the others are anything.
    ending_in_sold = st.builds(
        lambda prefix, n: prefix + str(n).zfill(width),
        st.text("0123456789", max_size=3),
        st.sampled_from(sorted(sold)),
    )
    results = draw(
        st.lists(st.lists(st.one_of(number, ending_in_sold), min_size=1, max_size=5), max_size=4)
    )
    prizes = draw(st.integers(1, len(sold)))
    fallback = draw(st.sampled_from(FALLBACKS))
    return results, sold, width, prizes, fallback


@settings(max_examples=400, deadline=None)
@given(lottery_cases())
def test_production_agrees_with_the_reference(case):
    results, sold, width, prizes, fallback = case
    outcome = draw_lottery.pick_winners(results, doc_entries(sold, width), prizes, fallback)
    expected, complete = reference(results, sold, width, prizes, fallback)
    assert list(outcome.winners) == expected
    assert outcome.complete is complete


@settings(max_examples=200, deadline=None)
@given(lottery_cases())
def test_winners_are_distinct_sold_numbers_in_prize_order(case):
    results, sold, width, prizes, fallback = case
    outcome = draw_lottery.pick_winners(results, doc_entries(sold, width), prizes, fallback)
    assert len(outcome.winners) <= prizes
    assert len(set(outcome.winners)) == len(outcome.winners)
    assert {int(w) for w in outcome.winners} <= sold
    # Each winner came from a step, in order; steps without a winner are the misses.
    assert [s.winner for s in outcome.steps if s.winner] == list(outcome.winners)
    assert all(s.ticket == s.number[-width:] for s in outcome.steps)


@settings(max_examples=200, deadline=None)
@given(lottery_cases())
def test_more_results_only_extend_the_winners(case):
    """A pending draw continued by a later result keeps the winners it had."""
    results, sold, width, prizes, fallback = case
    entries = doc_entries(sold, width)
    for cut in range(len(results) + 1):
        early = draw_lottery.pick_winners(results[:cut], entries, prizes, fallback).winners
        full = draw_lottery.pick_winners(results, entries, prizes, fallback).winners
        assert full[: len(early)] == early


@settings(max_examples=200, deadline=None)
@given(lottery_cases())
def test_next_sold_gives_one_winner_per_lottery_prize(case):
    results, sold, width, prizes, _ = case
    outcome = draw_lottery.pick_winners(results, doc_entries(sold, width), prizes, "next-sold")
    assert len(outcome.winners) == min(prizes, sum(len(r) for r in results))


def test_first_prize_decides_when_sold():
    entries = doc_entries([12, 345, 999], 3)
    out = draw_lottery.pick_winners([["48345", "11012"]], entries, 1, "redraw")
    assert out.winners == ("345",)
    assert out.complete


@pytest.mark.parametrize(
    ("fallback", "winners", "complete"),
    [
        ("next-prize", ("012",), True),  # 2nd prize 11012
        ("next-sold", ("345",), True),  # 100 unsold: nearest sold above is 345
        ("redraw", (), False),  # wait for the next date
    ],
)
def test_each_fallback_when_the_first_prize_is_unsold(fallback, winners, complete):
    entries = doc_entries([12, 345, 999], 3)
    out = draw_lottery.pick_winners([["77100", "11012"]], entries, 1, fallback)
    assert (out.winners, out.complete) == (winners, complete)


def test_nearest_sold_wraps_around_and_skips_winners():
    entries = doc_entries([12, 345, 999], 3)
    out = draw_lottery.pick_winners([["1999", "2999", "3999"]], entries, 3, "next-sold")
    assert out.winners == ("999", "012", "345")


def test_redraw_continues_with_the_next_date():
    entries = doc_entries([12, 345, 999], 3)
    results = [["50500", "00012"], ["00345", "00999"]]
    out = draw_lottery.pick_winners(results, entries, 2, "redraw")
    assert out.winners == ("345", "999")
    assert out.complete
    assert [(s.result, s.position, s.winner) for s in out.steps] == [
        (0, 0, ""),
        (1, 0, "345"),
        (1, 1, "999"),
    ]


def test_several_prizes_take_successive_lottery_prizes():
    entries = doc_entries(range(100), 2)
    out = draw_lottery.pick_winners([["1234", "5678", "9012"]], entries, 3, "next-prize")
    assert out.winners == ("34", "78", "12")


@pytest.mark.parametrize("number", ["12", "12a45", "١٢٣٤"])
def test_short_or_non_digit_numbers_are_refused(number):
    with pytest.raises(ValueError, match="not a lottery number"):
        draw_lottery.pick_winners([[number]], doc_entries([1, 2], 3), 1, "next-prize")


def test_bad_parameters_are_refused():
    entries = doc_entries([1, 2], 2)
    with pytest.raises(ValueError, match="Cannot draw 3 prizes"):
        draw_lottery.pick_winners([["11"]], entries, 3, "next-prize")
    with pytest.raises(ValueError, match="Unknown fallback"):
        draw_lottery.pick_winners([["11"]], entries, 1, "coin-toss")


@pytest.mark.parametrize("fallback", FALLBACKS)
def test_published_recipe_runs_and_agrees(tmp_path, fallback):
    """The program shown on the public page, run as a person would: python3 + entries.txt."""
    entries = doc_entries([3, 12, 345, 500, 999], 3)
    (tmp_path / "entries.txt").write_bytes(entries.encode())
    results = [["77100", "11013", "99345"], ["00500", "12999"]]
    program = draw_lottery.filled_recipe(results=results, fallback=fallback, prizes=3)
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    expected = draw_lottery.pick_winners(results, entries, 3, fallback).winners
    assert out.stdout.strip() == repr(list(expected))


def test_docs_show_the_published_recipe():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "draws.md").read_text()
    assert draw_lottery.RECIPE in docs
    assert draw_lottery.METHOD in docs
