"""Verifiable draws: commit a secret seed at activation, freeze the sold numbers after close,
draw with an external public value, reveal the seed. The method is `raffles.draw_method`;
docs/draws.md explains it and why it is fair.

Order of events, each recorded as an audit event:

1. `create_commitment` (inside `activate_raffle`): a secret seed and its SHA-256 commitment.
2. `freeze_entries` (after `close_raffle`): the canonical list of paid numbers and its hash.
   Refused while orders may still be paid, unless staff exclude them explicitly: those are
   cancelled with the reason (`reversals.cancel_excluded_order`). From then on no payment
   of the raffle can be confirmed (`ensure_payments_open`).
3. `draw_raffle`: winners = f(seed, external value, frozen list); the seed is revealed, the
   raffle becomes DRAWN, each winning order gets an open prize claim (`services.claims`),
   `signals.raffle_drawn` is sent. Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from raffles import draw_method, signals
from raffles.audit import EventKind
from raffles.exceptions import (
    AlreadyDrawn,
    DrawNotFound,
    EntriesFrozen,
    InvalidInput,
    NoEntries,
    PaymentsPending,
    RaffleNotClosed,
    TooManyPrizes,
)
from raffles.models import Draw, Order, OrderEvent, PaymentProof, Raffle, TicketNumber
from raffles.services import claims
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

MAX_PRIZES = 1000
MAX_EXTERNAL_VALUE = 200


# --- 1. Commit ---------------------------------------------------------------------------


def create_commitment(raffle: Raffle, *, by: ActorLike = None) -> Draw:
    """Draw the raffle's secret seed and record its public commitment. Idempotent: a raffle
    keeps the seed it was given first. Called by `activate_raffle`, in its transaction."""
    existing = Draw.objects.filter(raffle_id=raffle.pk).first()
    if existing is not None:
        return existing
    seed = draw_method.new_seed()
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                raffle=raffle,
                method=draw_method.METHOD,
                seed=seed,
                commitment=draw_method.commitment_for(seed),
            )
            # Never the seed here: events are shown to staff before the draw.
            log_event(
                kind=EventKind.DRAW_COMMITTED,
                by=by,
                raffle=raffle,
                commitment=draw.commitment,
                method=draw.method,
            )
    except IntegrityError:  # committed concurrently: the first seed stays
        return Draw.objects.get(raffle_id=raffle.pk)
    return draw


# --- 2. Freeze ---------------------------------------------------------------------------


def pending_orders(raffle: Raffle, now: datetime | None = None) -> QuerySet[Order]:
    """Orders that may still become PAID: a proof waits for review, or the hold still runs."""
    now = now or timezone.now()
    proof_waiting = Q(status__in=Order.PROOF_STATUSES, proofs__review=PaymentProof.Review.PENDING)
    ids = Order.objects.filter(proof_waiting | Order.holding_q(now), raffle=raffle).values("pk")
    return Order.objects.filter(pk__in=ids).order_by("created_at", "id")


def paid_numbers(raffle: Raffle) -> list[int]:
    """Every number of a PAID order of the raffle, ascending."""
    return sorted(
        TicketNumber.objects.filter(
            raffle=raffle,
            status=TicketNumber.Status.SOLD,
            reserved_by_order__status=Order.Status.PAID,
        ).values_list("number", flat=True)
    )


def _lock(raffle: Raffle) -> tuple[Raffle, Draw | None]:
    """Lock the raffle's draw row (PostgreSQL; SQLite serialises writers itself), then read
    the raffle fresh. Never the raffle row: `confirm_paid` holds a key-share lock on it (its
    audit event) when it reaches the draw row, so locking the raffle here could deadlock."""
    draw = Draw.objects.select_for_update().filter(raffle_id=raffle.pk).first()
    fresh = Raffle.objects.get(pk=raffle.pk)
    if draw is None and fresh.status == Raffle.Status.CLOSED:
        # Activated before draws existed: commit now. The page shows the commitment's date.
        create_commitment(fresh, by=None)
        draw = Draw.objects.select_for_update().get(raffle_id=raffle.pk)
    return fresh, draw


def _freeze(raffle: Raffle, draw: Draw | None, *, exclude_pending: bool, by: ActorLike) -> Draw:
    """Freeze inside the caller's transaction, with the draw row locked."""
    if draw is not None and draw.is_frozen:
        return draw
    if raffle.status != Raffle.Status.CLOSED or draw is None:
        raise RaffleNotClosed(raffle.get_status_display().lower())
    pending = list(pending_orders(raffle))
    if pending and not exclude_pending:
        raise PaymentsPending([order.code for order in pending])
    numbers = paid_numbers(raffle)
    if not numbers:
        raise NoEntries("No number of this raffle was paid for: there is nothing to draw")
    entries = draw_method.canonical_entries(numbers, raffle.number_width)
    draw.entries = entries
    draw.entries_hash = draw_method.entries_hash(entries)
    draw.entries_count = len(numbers)
    draw.excluded = [{"order": order.code, "numbers": order.numbers()} for order in pending]
    from raffles.services.reversals import cancel_excluded_order  # reversals imports draws

    for order in pending:  # left out: they leave "pending", with the reason
        cancel_excluded_order(order, by=by)
    draw.frozen_at = timezone.now()
    draw.save(update_fields=["entries", "entries_hash", "entries_count", "excluded", "frozen_at"])
    log_event(
        kind=EventKind.ENTRIES_FROZEN,
        by=by,
        raffle=raffle,
        entries_hash=draw.entries_hash,
        entries_count=draw.entries_count,
        excluded_orders=[item["order"] for item in draw.excluded],
    )
    return draw


def freeze_entries(raffle: Raffle, *, exclude_pending: bool = False, by: ActorLike = None) -> Draw:
    """Freeze the list of numbers taking part (those of PAID orders) and publish its hash.

    Needs closed sales. Raises PaymentsPending while orders may still be paid (a proof waits
    for review, a hold still runs) unless `exclude_pending`: those orders then stay out of
    the draw, cancelled with the reason. Raises NoEntries when nothing was paid.
    Idempotent: a frozen list never changes.
    """
    with transaction.atomic():
        fresh, draw = _lock(raffle)
        return _freeze(fresh, draw, exclude_pending=exclude_pending, by=by)


def ensure_payments_open(order: Order) -> None:
    """Called by `confirm_paid` inside its transaction: refuse a payment once the raffle's
    entries are frozen. Locks the draw row, so a payment and a freeze never interleave."""
    frozen = list(
        Draw.objects.select_for_update()
        .filter(raffle_id=order.raffle_id)
        .values_list("frozen_at", flat=True)
    )
    if frozen and frozen[0] is not None:
        raise EntriesFrozen(
            "The list of numbers taking part in the draw is frozen; this payment can no"
            " longer be confirmed (refund it)",
            order=order.code,
        )


# --- 3. Draw -----------------------------------------------------------------------------


def _clean_external(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_EXTERNAL_VALUE:
        raise InvalidInput(
            _("The external value can have at most %(limit)s characters")
            % {"limit": MAX_EXTERNAL_VALUE},
            field="external_value",
        )
    if any(not ch.isprintable() for ch in text):
        raise InvalidInput(
            _("The external value must be one line of printable text"), field="external_value"
        )
    return text


def _clean_prizes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PRIZES:
        raise InvalidInput(
            _("The number of prizes must be a whole number from 1 to %(limit)s")
            % {"limit": MAX_PRIZES},
            field="prizes",
        )
    return value


def draw_raffle(
    raffle: Raffle,
    *,
    external_value: str,
    prizes: int = 1,
    exclude_pending: bool = False,
    by: ActorLike = None,
) -> Draw:
    """Draw `prizes` winners, in prize order, without repetition, and reveal the seed.

    Freezes the list first if that was not done (same rules as `freeze_entries`). The raffle
    becomes DRAWN and `signals.raffle_drawn` is sent. Drawing again with the same external
    value and number of prizes returns the stored result; other parameters raise
    AlreadyDrawn. Raises RaffleNotClosed, PaymentsPending, NoEntries, TooManyPrizes.
    """
    external = _clean_external(external_value)
    prizes = _clean_prizes(prizes)
    with transaction.atomic():
        fresh, draw = _lock(raffle)
        if draw is not None and draw.is_drawn:
            if draw.external_value == external and draw.prizes == prizes:
                return draw
            raise AlreadyDrawn(draw.external_value, draw.prizes or 0)
        draw = _freeze(fresh, draw, exclude_pending=exclude_pending, by=by)
        if prizes > (draw.entries_count or 0):
            raise TooManyPrizes(prizes, draw.entries_count or 0)
        draw.winners = draw_method.pick_winners(draw.seed, external, draw.entries, prizes)
        draw.external_value = external
        draw.prizes = prizes
        draw.drawn_at = timezone.now()
        draw.save(update_fields=["winners", "external_value", "prizes", "drawn_at"])
        Raffle.objects.filter(pk=fresh.pk, status=Raffle.Status.CLOSED).update(
            status=Raffle.Status.DRAWN, updated_at=draw.drawn_at
        )
        fresh.refresh_from_db()
        log_event(
            kind=EventKind.RAFFLE_DRAWN,
            by=by,
            raffle=fresh,
            method=draw.method,
            seed=draw.seed,
            commitment=draw.commitment,
            external_value=external,
            entries_hash=draw.entries_hash,
            prizes=prizes,
            winners=draw.winners,
        )
        claims.open_claims(fresh, draw, by=by)
        signals.raffle_drawn.send(sender=Raffle, raffle=fresh)
    return draw


# --- 4. Verify ---------------------------------------------------------------------------


@dataclass
class DrawCheck:
    """What `verify_draw` found, check by check, in order: `ok` when every check passed."""

    results: list[tuple[bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(passed for passed, _ in self.results)

    @property
    def passed(self) -> list[str]:
        return [text for passed, text in self.results if passed]

    @property
    def problems(self) -> list[str]:
        return [text for passed, text in self.results if not passed]

    def check(self, condition: bool, passed: str, problem: str) -> bool:
        self.results.append((condition, passed if condition else problem))
        return condition


def _recorded(raffle: Raffle, kind: str) -> dict[str, Any] | None:
    event = OrderEvent.objects.filter(raffle=raffle, kind=kind).order_by("created_at", "id")
    first = event.first()
    return first.details if first else None


def verify_draw(raffle: Raffle) -> DrawCheck:
    """Recompute a drawn raffle from its stored inputs and compare with every record: the
    commitment, the frozen list and its hash, the audit log, the paid numbers, the winners."""
    result = DrawCheck()
    raffle = Raffle.objects.get(pk=raffle.pk)
    draw = Draw.objects.filter(raffle=raffle).first()
    if draw is None:
        raise DrawNotFound()
    if not result.check(draw.is_drawn, "the raffle was drawn", "the raffle was not drawn yet"):
        return result
    result.check(
        draw.method == draw_method.METHOD,
        f"method {draw.method}",
        f"unknown draw method {draw.method!r}",
    )
    result.check(
        draw_method.commitment_for(draw.seed) == draw.commitment,
        "SHA-256 of the revealed seed equals the commitment",
        "the revealed seed does not match the commitment",
    )
    committed = _recorded(raffle, "draw_committed")
    result.check(
        committed is not None and committed.get("commitment") == draw.commitment,
        "the commitment equals the one recorded at activation",
        "the commitment differs from the one recorded at activation",
    )
    result.check(
        draw_method.is_canonical(draw.entries),
        "the frozen list is canonical (sorted, zero-padded, no repeats)",
        "the frozen list is not in canonical form",
    )
    result.check(
        draw_method.entries_hash(draw.entries) == draw.entries_hash,
        "SHA-256 of the frozen list equals the published list hash",
        "the frozen list does not match its published hash",
    )
    frozen = _recorded(raffle, "entries_frozen")
    result.check(
        frozen is not None and frozen.get("entries_hash") == draw.entries_hash,
        "the list hash equals the one recorded when the list was frozen",
        "the list hash differs from the one recorded when the list was frozen",
    )
    listed = [int(n) for n in draw_method.parse_entries(draw.entries)]
    result.check(
        listed == paid_numbers(raffle) and len(listed) == draw.entries_count,
        f"the list holds exactly the {len(listed)} numbers of paid orders",
        "the frozen list differs from the numbers of paid orders",
    )
    try:
        expected = draw_method.pick_winners(
            draw.seed, draw.external_value, draw.entries, draw.prizes or 0
        )
    except ValueError as exc:
        expected = []
        result.check(False, "", f"the winners cannot be recomputed: {exc}")
    result.check(
        expected == list(draw.winners),
        "recomputed winners: " + ", ".join(expected),
        f"recomputed winners {', '.join(expected) or '-'} differ from the stored"
        f" {', '.join(draw.winners) or '-'}",
    )
    drawn = _recorded(raffle, "raffle_drawn")
    result.check(
        drawn is not None
        and drawn.get("winners") == list(draw.winners)
        and drawn.get("seed") == draw.seed
        and drawn.get("external_value") == draw.external_value,
        "seed, external value and winners equal those recorded at the draw",
        "seed, external value or winners differ from those recorded at the draw",
    )
    result.check(
        raffle.status == Raffle.Status.DRAWN,
        "the raffle is marked drawn",
        f"the raffle is {raffle.status}, not drawn",
    )
    return result
