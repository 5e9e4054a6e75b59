"""/api/raffles/{raffle_id}/early-draws/: a raffle's early-bird draws (see docs/draws.md).

    GET   the list, each like the main draw (commitment or fallback, list, winners)
    POST  announce one: {"title", "cutoff", "prize_names", "method", "fallback"}
    POST  …/{early_id}/draw/: draw it (after the cutoff), like the main draw

Thin: call one selector or service, shape the output."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from raffles.api.common import DateTime, actor, id_path, read, text, write
from raffles.api.draws import DrawIn, DrawOut, _raffle
from raffles.exceptions import DrawNotFound
from raffles.models import Raffle
from raffles.selectors import DrawSummary, early_draw_of, early_draw_summaries, summary_of
from raffles.services import create_early_draw, draw_early
from raffles.services.draw_setup import MAX_PRIZE_NAME, MAX_PRIZE_NAMES
from raffles.services.early_draws import MAX_TITLE

router = Router(tags=["draws"])

RaffleId = id_path("Raffle id.")
EarlyId = id_path("Early-bird draw id.")


class EarlyDrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: text(max_length=MAX_TITLE, blank=False) = Field(  # type: ignore[valid-type]
        description="e.g. 'Early-bird: paid before 1 December'."
    )
    cutoff: DateTime = Field(description="Numbers paid before this time take part (future).")
    prize_names: list[text(max_length=MAX_PRIZE_NAME, blank=False)] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_PRIZE_NAMES, description="First prize first."
    )
    method: Literal["hmac-sha256-rejection-v1", "lottery-digits-v1"] | None = Field(
        None, description="Default: the method of the raffle's main draw."
    )
    fallback: Literal["next-prize", "next-sold", "redraw"] | None = Field(
        None, description="Lottery method; default: that of the main draw."
    )


def _early(raffle: Raffle, early_id: int) -> DrawSummary:
    early = early_draw_of(raffle, early_id)
    if early is None:
        raise DrawNotFound("No such early-bird draw")
    return summary_of(raffle, early, early=early)


@router.get("/raffles/{raffle_id}/early-draws/", response=read(list[DrawOut], 404))
def list_early_draws(request: HttpRequest, raffle_id: int = RaffleId) -> list[DrawSummary]:
    """The raffle's early-bird draws, by cutoff. Seeds appear only once drawn."""
    return early_draw_summaries(_raffle(raffle_id))


@router.post("/raffles/{raffle_id}/early-draws/", response=write(DrawOut, 404, 409, status=201))
def create_raffle_early_draw(
    request: HttpRequest, payload: EarlyDrawIn, raffle_id: int = RaffleId
) -> Status[DrawSummary]:
    """Announce an early-bird draw among the numbers paid before `cutoff` (a draft or a
    raffle on sale; 409 `invalid_raffle_state` otherwise)."""
    raffle = _raffle(raffle_id)
    early = create_early_draw(
        raffle,
        title=payload.title,
        cutoff=payload.cutoff,
        prize_names=payload.prize_names,
        method=payload.method,
        fallback=payload.fallback,
        by=actor(request),
    )
    return Status(201, summary_of(raffle, early, early=early))


@router.post("/raffles/{raffle_id}/early-draws/{early_id}/draw/", response=write(DrawOut, 404, 409))
def draw_raffle_early_draw(
    request: HttpRequest, payload: DrawIn, raffle_id: int = RaffleId, early_id: int = EarlyId
) -> DrawSummary:
    """Draw an early-bird draw once its cutoff has passed: the same body and rules as the
    main draw (`exclude_pending` does not apply: only payments made before the cutoff
    count)."""
    raffle = _raffle(raffle_id)
    found = early_draw_of(raffle, early_id)
    if found is None:
        raise DrawNotFound("No such early-bird draw")
    draw_early(
        found,
        external_value=payload.external_value,
        prizes=payload.prizes,
        lottery_result=payload.lottery_result.dict() if payload.lottery_result else None,
        by=actor(request),
    )
    return _early(raffle, early_id)
