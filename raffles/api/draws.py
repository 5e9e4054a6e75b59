"""/api/raffles/{raffle_id}/draw/: a raffle's verifiable draw (see docs/draws.md).

    GET   the commitment or the lottery fallback, the frozen list's hash, and once drawn
          the revealed seed, the external value or lottery results, and the winners
    POST  draw (idempotent): {"external_value": "...", "prizes": N, "exclude_pending": false}
          or, for the lottery method, {"lottery_result": {"numbers": [...], "source": ...,
          "url": ..., "date": "YYYY-MM-DD"}, ...}
    PUT   …/draw/setup/: the method and fallback (a draft) and the prizes' descriptions

config/api.py mounts `router` at "/". Thin: call one selector or service, shape the output.
Domain errors reach config/api.py's handler, which answers `RaffleError.to_dict()`
({"detail", "code", ...}) with the error's status.
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from raffles import draw_lottery
from raffles.api.common import TO_WHOLE_NUMBER, actor, id_path, read, text, write
from raffles.exceptions import DrawNotFound, RaffleNotFound
from raffles.models import Raffle
from raffles.selectors import DrawSummary, draw_summary, raffle_by_id
from raffles.services import draw_raffle, set_draw_setup
from raffles.services.draw_setup import MAX_PRIZE_NAME, MAX_PRIZE_NAMES, MAX_SOURCE, MAX_URL
from raffles.services.draws import MAX_EXTERNAL_VALUE, MAX_PRIZES

router = Router(tags=["draws"])

RaffleId = id_path("Raffle id.")


class DrawWinnerOut(Schema):
    prize: int = Field(description="1 = first prize.")
    number: int
    label: str = Field(description="The number zero-padded, as in the frozen list.")
    order_code: str = Field(description="The winning order (empty if none was found).")
    prize_name: str = Field(description="The prize's description (empty when none).")


class LotteryResultOut(Schema):
    numbers: list[str] = Field(description="Prize numbers of the lottery draw, 1st first.")
    source: str
    url: str
    date: str = Field(description="The lottery's draw date, YYYY-MM-DD.")


class DrawOut(Schema):
    raffle_id: int
    public_id: str
    stage: Literal["committed", "frozen", "drawn"] = Field(
        description="committed: seed committed; frozen: list published; drawn: result."
    )
    method: str
    commitment: str = Field(description="SHA-256 of the secret seed, published at activation.")
    committed_at: datetime
    entries_hash: str | None = Field(description="SHA-256 of the frozen list (entries.txt).")
    entries_count: int | None
    excluded_numbers: list[int] = Field(
        description="Numbers left out because their payment was unconfirmed at the freeze."
    )
    frozen_at: datetime | None
    seed: str | None = Field(description="The seed, revealed at the draw; null before.")
    external_value: str | None = Field(description="Null before the draw.")
    prizes: int | None
    winners: list[DrawWinnerOut] = Field(description="In prize order; empty before the draw.")
    drawn_at: datetime | None
    public_url: str = Field(description="The public verification page (no login).")
    entries_url: str | None = Field(description="The frozen list as a file, once frozen.")
    fallback: str = Field(
        description="Lottery method: next-prize, next-sold or redraw (empty otherwise)."
    )
    prize_names: list[str] = Field(description="The prizes' descriptions, first prize first.")
    lottery_results: list[LotteryResultOut] = Field(
        description="Lottery method: the official results entered, in date order."
    )
    awaiting_result: bool = Field(
        description="Lottery method: the results so far gave fewer winners than prizes; "
        "the next lottery result continues the draw."
    )
    winners_so_far: list[str] = Field(description="A pending lottery draw's winners so far.")
    early_id: int | None = Field(description="An early-bird draw's id (null: the main draw).")
    title: str = Field(description="An early-bird draw's title.")
    cutoff: datetime | None = Field(description="Early-bird: numbers paid before this time.")
    live_url: str = Field(description="The public live draw page (path).")


# Printable ASCII and Latin-1 (not the no-break space or the soft hyphen, which are not
# printable): what the draw service accepts, in a form the OpenAPI document can state.
EXTERNAL_VALUE_PATTERN = r"^[ -~\u00a1-\u00ac\u00ae-\u00ff]*$"


class LotteryResultIn(Schema):
    model_config = ConfigDict(extra="forbid")

    numbers: list[Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]] = Field(
        min_length=1,
        max_length=draw_lottery.MAX_PRIZES_PER_RESULT,
        description="The lottery's prize numbers in order (1st, 2nd, … 5th), digits only, "
        "each with at least the raffle's digits.",
    )
    source: text(max_length=MAX_SOURCE, blank=False) = Field(  # type: ignore[valid-type]
        description="The source's name, e.g. the national lottery."
    )
    url: Annotated[str, Field(max_length=MAX_URL, pattern=r"^https?://[^\s]+$")] = Field(
        description="Where anyone can check the result (http or https)."
    )
    date: date_type = Field(description="The lottery's draw date.")


class DrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    external_value: str = Field(
        "",
        max_length=MAX_EXTERNAL_VALUE,
        pattern=EXTERNAL_VALUE_PATTERN,
        description="Public randomness fixed in advance and known only after the list was "
        "frozen, e.g. a national lottery result. One line of printable text (ASCII and "
        "Latin-1 letters and signs).",
    )
    prizes: Annotated[int, Field(strict=True, ge=1, le=MAX_PRIZES), TO_WHOLE_NUMBER] | None = Field(
        None,
        description="How many winners, in order. Default: one per prize description, else 1.",
    )
    lottery_result: LotteryResultIn | None = Field(
        None, description="Lottery method: the official result (required for that method)."
    )
    exclude_pending: bool = Field(
        False,
        strict=True,
        description="Leave out orders whose payment is still unconfirmed (a proof waiting "
        "for review, a hold still running) instead of refusing the draw: they are cancelled "
        "with the reason.",
    )


def _raffle(raffle_id: int) -> Raffle:
    raffle = raffle_by_id(raffle_id)
    if raffle is None:
        raise RaffleNotFound(f"Raffle {raffle_id} does not exist")
    return raffle


def _summary(raffle: Raffle) -> DrawSummary:
    summary = draw_summary(raffle)
    if summary is None:
        raise DrawNotFound()
    return summary


@router.get("/raffles/{raffle_id}/draw/", response=read(DrawOut, 404))
def get_raffle_draw(request: HttpRequest, raffle_id: int = RaffleId) -> DrawSummary:
    """The draw's public proof: the seed appears only once the raffle is drawn. 404
    `draw_not_found` for a raffle never activated."""
    return _summary(_raffle(raffle_id))


@router.post("/raffles/{raffle_id}/draw/", response=write(DrawOut, 404, 409))
def draw_raffle_winners(
    request: HttpRequest, payload: DrawIn, raffle_id: int = RaffleId
) -> DrawSummary:
    """Draw the winners and reveal the seed. Freezes the list of paid numbers first if that
    was not done. Idempotent: the same request again returns the stored result; other
    parameters after the draw give 409 `already_drawn`. Other refusals: 409
    `raffle_not_closed`, `payments_pending` (with `orders`), `no_entries`; 400
    `too_many_prizes`."""
    raffle = _raffle(raffle_id)
    draw_raffle(
        raffle,
        external_value=payload.external_value,
        prizes=payload.prizes,
        lottery_result=payload.lottery_result.dict() if payload.lottery_result else None,
        exclude_pending=payload.exclude_pending,
        by=actor(request),
    )
    return _summary(raffle)


class DrawSetupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    method: Literal["hmac-sha256-rejection-v1", "lottery-digits-v1"] | None = Field(
        None, description="The draw method; only while the raffle is a draft."
    )
    fallback: Literal["next-prize", "next-sold", "redraw"] | None = Field(
        None,
        description="Lottery method: when the lottery number was not sold, the next prize of "
        "the same lottery draw, the nearest sold number above (wrapping), or a re-draw with "
        "the next date's result. Only while the raffle is a draft.",
    )
    prize_names: (
        list[text(max_length=MAX_PRIZE_NAME, blank=False)] | None  # type: ignore[valid-type]
    ) = Field(
        None,
        max_length=MAX_PRIZE_NAMES,
        description="The prizes' descriptions, first prize first (until the draw).",
    )


@router.put("/raffles/{raffle_id}/draw/setup/", response=write(DrawOut, 404, 409))
def set_raffle_draw_setup(
    request: HttpRequest, payload: DrawSetupIn, raffle_id: int = RaffleId
) -> DrawSummary:
    """Choose how the raffle is drawn. The method and fallback can change only while the
    raffle is a draft (409 `invalid_raffle_state` after): they are published from the
    start. Prize descriptions can change until the draw (409 `already_drawn`)."""
    raffle = _raffle(raffle_id)
    set_draw_setup(
        raffle,
        method=payload.method,
        fallback=payload.fallback,
        prize_names=payload.prize_names,
        by=actor(request),
    )
    return _summary(raffle)
