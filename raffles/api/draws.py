"""/api/raffles/{raffle_id}/draw/: a raffle's verifiable draw (see docs/draws.md).

    GET   the commitment, the frozen list's hash, and once drawn the revealed seed, the
          external value and the winners
    POST  draw (idempotent): {"external_value": "...", "prizes": N, "exclude_pending": false}

config/api.py mounts `router` at "/". Thin: call one selector or service, shape the output.
Domain errors reach config/api.py's handler, which answers `RaffleError.to_dict()`
({"detail", "code", ...}) with the error's status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from raffles.api.common import WholeNumber, actor, id_path, read, write
from raffles.exceptions import DrawNotFound, RaffleNotFound
from raffles.models import Raffle
from raffles.selectors import DrawSummary, draw_summary, raffle_by_id
from raffles.services import draw_raffle
from raffles.services.draws import MAX_EXTERNAL_VALUE, MAX_PRIZES

router = Router(tags=["draws"])

RaffleId = id_path("Raffle id.")


class DrawWinnerOut(Schema):
    prize: int = Field(description="1 = first prize.")
    number: int
    label: str = Field(description="The number zero-padded, as in the frozen list.")
    order_code: str = Field(description="The winning order (empty if none was found).")


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


# Printable ASCII and Latin-1 (not the no-break space or the soft hyphen, which are not
# printable): what the draw service accepts, in a form the OpenAPI document can state.
EXTERNAL_VALUE_PATTERN = r"^[ -~\u00a1-\u00ac\u00ae-\u00ff]*$"


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
    prizes: WholeNumber = Field(1, ge=1, le=MAX_PRIZES, description="How many winners, in order.")
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
        exclude_pending=payload.exclude_pending,
        by=actor(request),
    )
    return _summary(raffle)
