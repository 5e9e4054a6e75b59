"""The pure draw method (raffles/draw_method.py): no database."""

from __future__ import annotations

import hashlib
import hmac
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from raffles import draw_method
from raffles.tests.drawing import doc_entries, doc_sha, doc_winners

SEED = "3f" * 32
ENTRIES = doc_entries([7, 3, 42, 99, 0, 15, 64, 81], 2)


def test_new_seed_is_64_hex_and_fresh():
    seeds = {draw_method.new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(len(s) == 64 and int(s, 16) >= 0 and s == s.lower() for s in seeds)


def test_commitment_is_sha256_of_the_seed_text():
    assert draw_method.commitment_for(SEED) == hashlib.sha256(SEED.encode()).hexdigest()


def test_canonical_list_is_independent_of_input_order():
    numbers = list(range(0, 1000, 7))
    shuffled = numbers[:]
    random.Random(1).shuffle(shuffled)
    text = draw_method.canonical_entries(shuffled, 3)
    assert text == draw_method.canonical_entries(reversed(numbers), 3)
    assert text.startswith("000\n007\n014\n")
    assert text.endswith("994\n")
    assert text == doc_entries(numbers, 3)
    assert draw_method.entries_hash(text) == doc_sha(text)
    assert draw_method.is_canonical(text)


@pytest.mark.parametrize(
    "text",
    ["", "01\n03", "03\n01\n", "01\n01\n", "01\n003\n", "0a\n", "01\r\n02\r\n", "٣\n"],
)
def test_non_canonical_lists_are_recognised(text):
    assert not draw_method.is_canonical(text)


def test_winners_match_the_documented_recipe():
    for external in ["", "12345", "Lotería Nacional 2026-11-30: 48213", "a|b|c"]:
        for prizes in (1, 3, 8):
            got = draw_method.pick_winners(SEED, external, ENTRIES, prizes)
            assert got == doc_winners(SEED, external, ENTRIES, prizes)
            assert len(set(got)) == prizes
            assert set(got) <= set(ENTRIES.splitlines())


def test_deterministic_and_sensitive_to_every_input():
    first = draw_method.pick_winners(SEED, "777", ENTRIES, 8)
    assert first == draw_method.pick_winners(SEED, "777", ENTRIES, 8)
    assert sorted(first) == sorted(ENTRIES.splitlines())  # every prize: a permutation
    # Winners of fewer prizes are the first ones of more prizes.
    assert draw_method.pick_winners(SEED, "777", ENTRIES, 3) == first[:3]
    others = {
        tuple(draw_method.pick_winners("40" * 32, "777", ENTRIES, 8)),
        tuple(draw_method.pick_winners(SEED, "778", ENTRIES, 8)),
        tuple(draw_method.pick_winners(SEED, "777", doc_entries([7, 3, 42, 99, 0, 15, 64], 2), 7)),
    }
    assert tuple(first) not in others


def test_prizes_out_of_bounds_raise():
    with pytest.raises(ValueError, match="Cannot draw"):
        draw_method.pick_winners(SEED, "", ENTRIES, 9)
    with pytest.raises(ValueError, match="Cannot draw"):
        draw_method.pick_winners(SEED, "", ENTRIES, 0)


def test_rejection_sampling_skips_biased_values():
    """With a pool of 2**255 + 1 about half of all HMAC values are rejected: the pick must
    come from the first counter whose value is below the largest multiple of the pool."""
    n = 2**255 + 1
    limit = 2**256 - 2**256 % n
    list_hash = doc_sha(ENTRIES)
    rejected_somewhere = False
    for prize in range(20):
        counter = 0
        while True:
            msg = f"x|{list_hash}|{prize}|{counter}".encode()
            x = int.from_bytes(hmac.new(SEED.encode(), msg, hashlib.sha256).digest(), "big")
            if x < limit:
                break
            counter += 1
        rejected_somewhere |= counter > 0
        assert draw_method._pick_index(SEED, "x", list_hash, prize, n) == x % n
    assert rejected_somewhere


def test_first_prize_is_roughly_uniform():
    entries = doc_entries(range(4), 1)
    counts = Counter(draw_method.pick_winners(SEED, str(i), entries, 1)[0] for i in range(4000))
    assert set(counts) == {"0", "1", "2", "3"}
    assert all(850 < c < 1150 for c in counts.values()), counts


def test_published_recipe_runs_and_agrees(tmp_path):
    """The program shown on the public page, run as a person would: python3 + entries.txt."""
    (tmp_path / "entries.txt").write_bytes(ENTRIES.encode())
    program = draw_method.filled_recipe(
        seed=SEED, commitment=draw_method.commitment_for(SEED), external="Lotería 48213", prizes=3
    )
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    expected = draw_method.pick_winners(SEED, "Lotería 48213", ENTRIES, 3)
    assert out.stdout.strip() == repr(expected)


def test_published_recipe_rejects_a_wrong_seed(tmp_path):
    (tmp_path / "entries.txt").write_bytes(ENTRIES.encode())
    program = draw_method.filled_recipe(
        seed="00" * 32, commitment=draw_method.commitment_for(SEED), external="1", prizes=1
    )
    out = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True)
    assert out.returncode != 0
    assert b"does not match the commitment" in out.stderr


def test_docs_show_the_published_recipe():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "draws.md").read_text()
    assert draw_method.RECIPE in docs
    assert draw_method.METHOD in docs
