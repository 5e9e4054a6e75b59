"""The draw method: a pure, deterministic function anyone can recompute (standard library only).

Inputs, all published on the raffle's public draw page once it is drawn:

- ``seed``: 64 lowercase hex characters drawn with ``secrets`` when the raffle was activated.
  Kept secret until the draw; only its commitment ``sha256(seed)`` was public before.
- ``external``: a public random value fixed in advance and known only after the list was
  frozen (for example a national lottery result). May be empty.
- ``entries``: the frozen list, the canonical text of the sold numbers: ascending, each
  zero-padded to the width of the raffle's last number, each followed by ``"\\n"``.

Every text is encoded as UTF-8 before hashing. For prize ``i`` (0, 1, 2, …) we compute
``HMAC-SHA256(key=seed, msg=f"{external}|{sha256(entries)}|{i}|{counter}")`` as a 256-bit
big-endian integer ``x``, for counter = 0, 1, 2, … until ``x`` is below the largest multiple of
the number of entries still in the pool (rejection sampling: no modulo bias). The winner is
``pool[x % len(pool)]``; it leaves the pool, so no number wins twice.

``RECIPE`` below is the same method in a few lines, shown on the public page; a test checks
that both agree.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

METHOD = "hmac-sha256-rejection-v1"
SEED_BYTES = 32
HASH_HEX_LENGTH = 64
_SPACE = 1 << 256  # HMAC-SHA256 outputs are 256-bit integers


def new_seed() -> str:
    """A fresh secret seed: 32 random bytes from the OS, as 64 lowercase hex characters."""
    return secrets.token_hex(SEED_BYTES)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commitment_for(seed: str) -> str:
    """The public commitment to a seed: SHA-256 of its hex text."""
    return sha256_hex(seed)


def canonical_entries(numbers: Iterable[int], width: int) -> str:
    """Sorted numbers, zero-padded to `width`, one per line, each line ending in "\\n"."""
    return "".join(f"{number:0{width}d}\n" for number in sorted(numbers))


def entries_hash(entries: str) -> str:
    """SHA-256 of the canonical list: the same as `sha256sum entries.txt`."""
    return sha256_hex(entries)


def parse_entries(entries: str) -> list[str]:
    """The numbers of a canonical list, as written (zero-padded strings)."""
    return entries.splitlines()


def is_canonical(entries: str) -> bool:
    """True when `entries` is exactly what `canonical_entries` writes for its numbers:
    digits only, one width, ascending, no repeats, each line ending in "\\n"."""
    lines = parse_entries(entries)
    if not lines or len(set(lines)) != len(lines):
        return False
    width = len(lines[0])
    if not all(len(line) == width and line.isascii() and line.isdigit() for line in lines):
        return False
    return canonical_entries(map(int, lines), width) == entries


def _pick_index(seed: str, external: str, list_hash: str, prize: int, pool_size: int) -> int:
    limit = _SPACE - _SPACE % pool_size  # largest multiple of pool_size that fits
    counter = 0
    while True:
        message = f"{external}|{list_hash}|{prize}|{counter}".encode()
        digest = hmac.new(seed.encode("utf-8"), message, hashlib.sha256).digest()
        x = int.from_bytes(digest, "big")
        if x < limit:
            return x % pool_size
        counter += 1


def pick_winners(seed: str, external: str, entries: str, prizes: int) -> list[str]:
    """The winning numbers (as written in `entries`), in prize order, without repetition."""
    pool = parse_entries(entries)
    if prizes < 1 or prizes > len(pool):
        raise ValueError(f"Cannot draw {prizes} prizes from {len(pool)} entries")
    list_hash = entries_hash(entries)
    winners: list[str] = []
    for prize in range(prizes):
        winners.append(pool.pop(_pick_index(seed, external, list_hash, prize, len(pool))))
    return winners


# Shown on the public page and in docs/draws.md. Self-contained: copy, fill in, run.
RECIPE = """\
import hashlib, hmac

seed = "..."  # revealed seed (64 hex characters)
commitment = "..."  # published when the raffle opened
external = "..."  # external public value entered at the draw
prizes = 1  # number of prizes
entries = open("entries.txt", encoding="utf-8", newline="").read()  # the frozen list

sha = lambda text: hashlib.sha256(text.encode()).hexdigest()
assert sha(seed) == commitment, "the seed does not match the commitment"
list_hash = sha(entries)  # compare with the published list hash
pool = entries.splitlines()
winners = []
for i in range(prizes):
    n = len(pool)
    limit = 2**256 - 2**256 % n  # reject the top values: no modulo bias
    counter = 0
    while True:
        msg = f"{external}|{list_hash}|{i}|{counter}".encode()
        x = int.from_bytes(hmac.new(seed.encode(), msg, hashlib.sha256).digest(), "big")
        if x < limit:
            break
        counter += 1
    winners.append(pool.pop(x % n))
print(winners)  # in prize order: first prize first
"""


def filled_recipe(*, seed: str, commitment: str, external: str, prizes: int) -> str:
    """RECIPE with a drawn raffle's values written in (as Python literals)."""
    return (
        RECIPE.replace('seed = "..."', f"seed = {seed!r}", 1)
        .replace('commitment = "..."', f"commitment = {commitment!r}", 1)
        .replace('external = "..."', f"external = {external!r}", 1)
        .replace("prizes = 1 ", f"prizes = {prizes} ", 1)
    )
