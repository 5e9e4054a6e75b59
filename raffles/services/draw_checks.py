"""Verification: recompute a draw (main or early-bird, either method) from its public
inputs and compare with every record: the commitment or the fallback published at the
start, the frozen list and its hash, the audit log, the paid numbers, the winners."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from raffles import draw_lottery, draw_method
from raffles.draw_models import DrawRecord
from raffles.exceptions import DrawNotFound
from raffles.models import Draw, EarlyDraw, OrderEvent, Raffle
from raffles.services.draw_setup import compute_winners
from raffles.services.draws import paid_numbers
from raffles.services.early_draws import early_numbers


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


def _recorded(raffle: Raffle, kind: str, early: int | None = None) -> dict[str, Any] | None:
    events = OrderEvent.objects.filter(raffle=raffle, kind=kind)
    if early is not None:
        events = events.filter(details__early_draw=early)
    first = events.order_by("created_at", "id").first()
    return first.details if first else None


def _check_start(result: DrawCheck, record: DrawRecord, started: dict[str, Any] | None) -> None:
    """The commitment (HMAC) or the fallback (lottery) equals the one published first."""
    if record.method == draw_method.METHOD:
        result.check(
            draw_method.commitment_for(record.seed) == record.commitment,
            "SHA-256 of the revealed seed equals the commitment",
            "the revealed seed does not match the commitment",
        )
        result.check(
            started is not None and started.get("commitment") == record.commitment,
            "the commitment equals the one published at the start",
            "the commitment differs from the one published at the start",
        )
        return
    result.check(
        record.fallback in draw_lottery.FALLBACKS
        and started is not None
        and started.get("fallback") == record.fallback,
        f"fallback {record.fallback}, as published at the start",
        f"the fallback {record.fallback!r} differs from the one published at the start",
    )
    dates = [str(item.get("date", "")) for item in record.lottery_results]
    frozen = timezone.localdate(record.frozen_at).isoformat() if record.frozen_at else ""
    result.check(
        bool(dates) and dates == sorted(set(dates)) and dates[0] >= frozen[:10],
        "lottery results: "
        + "; ".join(
            f"{item['date']} {item['source']} {item['url']}: {', '.join(item['numbers'])}"
            for item in record.lottery_results
        ),
        "the lottery results are missing, out of date order, or from before the freeze",
    )


def _check_record(
    result: DrawCheck,
    record: DrawRecord,
    *,
    listed_ok: bool,
    started: dict[str, Any] | None,
    frozen: dict[str, Any] | None,
    drawn: dict[str, Any] | None,
) -> None:
    result.check(
        record.method in (draw_method.METHOD, draw_lottery.METHOD),
        f"method {record.method}",
        f"unknown draw method {record.method!r}",
    )
    _check_start(result, record, started)
    result.check(
        draw_method.is_canonical(record.entries),
        "the frozen list is canonical (sorted, zero-padded, no repeats)",
        "the frozen list is not in canonical form",
    )
    result.check(
        draw_method.entries_hash(record.entries) == record.entries_hash,
        "SHA-256 of the frozen list equals the published list hash",
        "the frozen list does not match its published hash",
    )
    result.check(
        frozen is not None and frozen.get("entries_hash") == record.entries_hash,
        "the list hash equals the one recorded when the list was frozen",
        "the list hash differs from the one recorded when the list was frozen",
    )
    count = len(draw_method.parse_entries(record.entries))
    result.check(
        listed_ok and count == record.entries_count,
        f"the list holds exactly the {count} numbers taking part",
        "the frozen list differs from the numbers that were paid for",
    )
    try:
        computed = compute_winners(record, record.prizes or 0)
        expected, complete = computed.winners, computed.complete
    except ValueError as exc:
        expected, complete = [], False
        result.check(False, "", f"the winners cannot be recomputed: {exc}")
    result.check(
        complete and expected == list(record.winners),
        "recomputed winners: " + ", ".join(expected),
        f"recomputed winners {', '.join(expected) or '-'} differ from the stored"
        f" {', '.join(record.winners) or '-'}",
    )
    result.check(
        drawn is not None
        and drawn.get("winners") == list(record.winners)
        and drawn.get("seed") == record.seed
        and drawn.get("external_value") == record.external_value
        and drawn.get("lottery_results", []) == list(record.lottery_results),
        "the inputs and winners equal those recorded at the draw",
        "the inputs or winners differ from those recorded at the draw",
    )


def verify_draw(raffle: Raffle) -> DrawCheck:
    """Recompute a drawn raffle's main draw from its stored inputs and compare."""
    result = DrawCheck()
    raffle = Raffle.objects.get(pk=raffle.pk)
    draw = Draw.objects.filter(raffle=raffle).first()
    if draw is None:
        raise DrawNotFound()
    if not result.check(draw.is_drawn, "the raffle was drawn", "the raffle was not drawn yet"):
        return result
    listed = [int(n) for n in draw_method.parse_entries(draw.entries)]
    _check_record(
        result,
        draw,
        listed_ok=listed == paid_numbers(raffle),
        started=_recorded(raffle, "draw_committed"),
        frozen=_recorded(raffle, "entries_frozen"),
        drawn=_recorded(raffle, "raffle_drawn"),
    )
    result.check(
        raffle.status == Raffle.Status.DRAWN,
        "the raffle is marked drawn",
        f"the raffle is {raffle.status}, not drawn",
    )
    return result


def verify_early_draw(early: EarlyDraw) -> DrawCheck:
    """The same checks for an early-bird draw; its list is the numbers paid before the
    cutoff (and still paid)."""
    result = DrawCheck()
    early = EarlyDraw.objects.select_related("raffle").get(pk=early.pk)
    if not result.check(early.is_drawn, f"{early.title}: drawn", f"{early.title}: not drawn yet"):
        return result
    listed = [int(n) for n in draw_method.parse_entries(early.entries)]
    _check_record(
        result,
        early,
        listed_ok=listed == early_numbers(early),
        started=_recorded(early.raffle, "early_draw_created", early.pk),
        frozen=_recorded(early.raffle, "early_draw_frozen", early.pk),
        drawn=_recorded(early.raffle, "early_draw_drawn", early.pk),
    )
    return result
