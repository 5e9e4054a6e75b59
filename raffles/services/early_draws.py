"""Early-bird draws: announced while sales run, among the numbers paid before a cutoff.

Each one is its own record (`EarlyDraw`) with its own method (that of the raffle's main draw
unless chosen), its own commitment (HMAC method) or official lottery result (lottery
method), its own frozen list, prizes and winners. The winners stay in the main draw.

1. `create_early_draw` (raffle a draft or on sale, cutoff in the future): commitment or
   fallback published from then on.
2. `freeze_early_draw` (once the cutoff has passed; implicit at the draw): the numbers of
   orders paid before the cutoff (and still paid).
3. `draw_early` with the external value, or the lottery result; a lottery draw whose
   results run out stays pending. `signals.early_draw_drawn` is sent when complete.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raffles import draw_lottery, signals
from raffles.audit import EventKind
from raffles.draw_method import canonical_entries, entries_hash
from raffles.exceptions import (
    AlreadyDrawn,
    InvalidInput,
    InvalidRaffleState,
    NoEntries,
    TooManyPrizes,
)
from raffles.models import EarlyDraw, Raffle
from raffles.selectors_draws import early_entry_tickets
from raffles.services import draw_setup
from raffles.services.actors import ActorLike
from raffles.services.draws import add_result, clean_external, clean_prizes
from raffles.services.events import log_event

MAX_TITLE = 120


def create_early_draw(
    raffle: Raffle,
    *,
    title: str,
    cutoff: datetime,
    prize_names: Any = None,
    method: str | None = None,
    fallback: str | None = None,
    by: ActorLike = None,
) -> EarlyDraw:
    """Announce an early-bird draw among the numbers paid before `cutoff`."""
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(
            _("Give the early-bird draw a title of at most %(limit)s characters")
            % {"limit": MAX_TITLE},
            field="title",
        )
    if timezone.is_naive(cutoff) or cutoff <= timezone.now():
        raise InvalidInput(
            _("The cutoff must be in the future"), field="cutoff", conflicts_with=["now"]
        )
    with transaction.atomic():
        fresh = Raffle.objects.get(pk=raffle.pk)
        if fresh.status not in (Raffle.Status.DRAFT, Raffle.Status.ACTIVE):
            raise InvalidRaffleState("announce an early-bird draw for", fresh.status)
        if fresh.sales_close_at and cutoff > fresh.sales_close_at:
            raise InvalidInput(
                _("The cutoff must come before sales close"),
                field="cutoff",
                conflicts_with=["sales_close_at"],
            )
        main = getattr(fresh, "draw", None)
        chosen = draw_setup.clean_method(
            method if method is not None else (main.method if main else None),
            fallback if fallback is not None else (main.fallback if main else None),
        )
        early = EarlyDraw.objects.create(
            raffle=fresh,
            title=title,
            cutoff=cutoff,
            prize_names=draw_setup.clean_prize_names(prize_names),
            **draw_setup.new_record_fields(*chosen),
        )
        log_event(
            kind=EventKind.EARLY_DRAW_CREATED,
            by=by,
            raffle=fresh,
            early_draw=early.pk,
            title=title,
            cutoff=cutoff.isoformat(),
            method=early.method,
            fallback=early.fallback,
            commitment=early.commitment,
            prize_names=list(early.prize_names),
        )
    return early


def early_numbers(early: EarlyDraw) -> list[int]:
    """The numbers of the raffle's orders paid before the cutoff (and still paid)."""
    return sorted(early_entry_tickets(early).values_list("number", flat=True))


def _locked(early: EarlyDraw) -> tuple[Raffle, EarlyDraw]:
    locked = EarlyDraw.objects.select_for_update().get(pk=early.pk)
    return Raffle.objects.get(pk=locked.raffle_id), locked


def _freeze(raffle: Raffle, early: EarlyDraw, by: ActorLike) -> EarlyDraw:
    if early.is_frozen:
        return early
    if timezone.now() < early.cutoff:
        raise InvalidInput(
            _("The early-bird draw's cutoff has not passed yet"),
            field="cutoff",
            conflicts_with=["now"],
        )
    numbers = early_numbers(early)
    if not numbers:
        raise NoEntries("No number was paid before the cutoff: there is nothing to draw")
    early.entries = canonical_entries(numbers, raffle.number_width)
    early.entries_hash = entries_hash(early.entries)
    early.entries_count = len(numbers)
    early.frozen_at = timezone.now()
    early.save(update_fields=["entries", "entries_hash", "entries_count", "frozen_at"])
    log_event(
        kind=EventKind.EARLY_DRAW_FROZEN,
        by=by,
        raffle=raffle,
        early_draw=early.pk,
        entries_hash=early.entries_hash,
        entries_count=early.entries_count,
    )
    return early


def freeze_early_draw(early: EarlyDraw, *, by: ActorLike = None) -> EarlyDraw:
    """Freeze the numbers paid before the cutoff (after it). Idempotent."""
    with transaction.atomic():
        raffle, locked = _locked(early)
        return _freeze(raffle, locked, by)


def draw_early(
    early: EarlyDraw,
    *,
    external_value: str = "",
    prizes: int | None = None,
    lottery_result: dict[str, Any] | None = None,
    by: ActorLike = None,
) -> EarlyDraw:
    """Draw an early-bird draw (see `draw_raffle`: the same rules, its own record)."""
    external = clean_external(external_value)
    with transaction.atomic():
        raffle, locked = _locked(early)
        if locked.is_drawn:
            same_prizes = prizes is None or prizes == locked.prizes
            if same_prizes and (
                locked.method == draw_lottery.METHOD or locked.external_value == external
            ):
                return locked
            raise AlreadyDrawn(locked.external_value, locked.prizes or 0)
        if raffle.status == Raffle.Status.DRAFT:
            raise InvalidRaffleState("draw", raffle.status)
        locked = _freeze(raffle, locked, by)
        count = clean_prizes(prizes or locked.prizes or len(locked.prize_names) or 1)
        if count > (locked.entries_count or 0):
            raise TooManyPrizes(count, locked.entries_count or 0)
        if locked.method == draw_lottery.METHOD:
            if locked.prizes and locked.prizes != count:
                raise AlreadyDrawn(locked.external_value, locked.prizes)
            if not add_result(raffle, locked, lottery_result, by=by):
                return locked
        else:
            locked.external_value = external
        computed = draw_setup.compute_winners(locked, count)
        locked.winners = computed.winners
        locked.prizes = count
        locked.save(update_fields=["winners", "external_value", "prizes", "lottery_results"])
        if computed.complete:
            locked.drawn_at = timezone.now()
            locked.save(update_fields=["drawn_at"])
            log_event(
                kind=EventKind.EARLY_DRAW_DRAWN,
                by=by,
                raffle=raffle,
                early_draw=locked.pk,
                method=locked.method,
                seed=locked.seed,
                external_value=locked.external_value,
                fallback=locked.fallback,
                lottery_results=list(locked.lottery_results),
                entries_hash=locked.entries_hash,
                prizes=count,
                prize_names=list(locked.prize_names),
                winners=locked.winners,
            )
            signals.early_draw_drawn.send(sender=Raffle, raffle=raffle, early_draw=locked)
    return locked
