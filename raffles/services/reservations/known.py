"""Raffles kept in memory between reservations, with their terms.

Per process, shared by its threads (a dict's get and set are atomic), never handed out:
callers get copies. The store compares the terms inside the write, so a raffle changed since
it was read is read again, never sold from.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models.base import ModelState

from raffles.exceptions import RaffleError, RaffleNotActive, RaffleNotFound
from raffles.models import Raffle
from raffles.services.reservations.stores import store_for

_known: dict[int, tuple[Raffle, str]] = {}
KNOWN_CAP = 512


def raffle_pk(raffle_id: object) -> int:
    """The raffle's primary key, from whatever a caller passed; RaffleNotFound if none."""
    if isinstance(raffle_id, int) and not isinstance(raffle_id, bool):
        pk = raffle_id
    else:
        try:
            pk = int(raffle_id)  # type: ignore[call-overload]  # any object: int() decides
        except (ValueError, TypeError):
            raise RaffleNotFound() from None
    if not 0 < pk < 2**63:
        raise RaffleNotFound()
    return pk


def known_raffle(pk: int, fresh: bool) -> tuple[Raffle, str]:
    """The raffle and its terms: from memory, or read now (`fresh`, or not known yet)."""
    found = None if fresh else _known.get(pk)
    if found is None:
        found = store_for().load_raffle(pk)
        if found is None:
            _known.pop(pk, None)
            raise RaffleNotFound()
        if len(_known) >= KNOWN_CAP:
            _known.clear()
        _known[pk] = found
    return found


def copy(raffle: Raffle) -> Raffle:
    """A private copy of a known raffle (its fields; no cached relations)."""
    twin = Raffle.__new__(Raffle)
    twin.__dict__.update(raffle.__dict__)
    twin._state = ModelState()
    twin._state.adding = False
    twin._state.db = raffle._state.db
    return twin


def checked(pk: int, fresh: bool, check: Callable[[Raffle], None]) -> tuple[Raffle, str]:
    """The raffle, after `check` (which raises the domain's errors) passed on it. A failure
    on the copy in memory is confirmed on a fresh read before it is raised."""
    raffle, terms = known_raffle(pk, fresh)
    try:
        if not raffle.is_active:
            raise RaffleNotActive(f"“{raffle.title}” is not selling tickets right now")
        check(raffle)
    except RaffleError:
        if fresh:
            raise
        return checked(pk, True, check)
    return raffle, terms
