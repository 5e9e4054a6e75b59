"""A raffle's verifiable draw: the commitment made at activation, orders that may still be
paid, freezing the list of sold numbers, drawing with an external public value, the
revealed seed and winners, and an on-demand verification. Every rule lives in
`raffles.services.draws`; this component parses input and calls one service per action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from portal.components.base import StaffComponent, requires
from portal.numbers import NumberInputError, format_integer, parse_integer
from portal.roles import Perm
from raffles import services
from raffles.models import Buyer, Raffle
from raffles.selectors import DrawWinner, draw_summary


def lottery_result_of(component: Any) -> dict[str, str] | None:
    """The official result typed in the form (None when no number was typed: the HMAC
    method, or a lottery draw asked for again)."""
    if not str(component.lottery_numbers).strip():
        return None
    return {
        "numbers": str(component.lottery_numbers),
        "source": str(component.lottery_source),
        "url": str(component.lottery_url),
        "date": str(component.lottery_date),
    }


class DrawPanelView(StaffComponent):
    _permission = Perm.VIEW
    raffle_id: int = 0
    exclude_pending: bool = False
    external_value: str = ""
    prizes: str = ""
    lottery_numbers: str = ""
    lottery_source: str = ""
    lottery_url: str = ""
    lottery_date: str = ""
    notice: str = ""
    verified: bool = False
    verify_ok: bool = False
    verify_results: list[list[Any]] = []  # [[passed, text], ...] from verify_draw

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verify_results = []

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id or 0)

    def _raffle(self) -> Raffle:
        return Raffle.objects.get(pk=self.raffle_id)

    def _clear_verification(self) -> None:
        self.verified = False
        self.verify_ok = False
        self.verify_results = []

    @requires(Perm.MANAGE_RAFFLES)
    def freeze(self) -> None:
        self.notice = ""
        draw = services.freeze_entries(
            self._raffle(), exclude_pending=bool(self.exclude_pending), by=self.request.user
        )
        self._clear_verification()
        self.notice = _("The list of %(count)s sold numbers is frozen.") % {
            "count": format_integer(draw.entries_count)
        }

    @requires(Perm.MANAGE_RAFFLES)
    def draw(self) -> None:
        self.notice = ""
        prizes = None
        if str(self.prizes).strip():
            try:
                prizes = parse_integer(str(self.prizes))
            except NumberInputError as exc:
                self.field_errors = {"prizes": exc.message}
                return
        draw = services.draw_raffle(
            self._raffle(),
            external_value=self.external_value,
            prizes=prizes,
            lottery_result=lottery_result_of(self),
            exclude_pending=bool(self.exclude_pending),
            by=self.request.user,
        )
        self._clear_verification()
        if draw.is_drawn:
            self.notice = _("The raffle is drawn: %(count)s winners.") % {
                "count": format_integer(len(draw.winners))
            }
        else:
            self.notice = _(
                "Result recorded: %(count)s of %(prizes)s prizes have a winner; the draw waits"
                " for the next lottery result."
            ) % {"count": format_integer(len(draw.winners)), "prizes": format_integer(draw.prizes)}

    @requires(Perm.VIEW)
    def verify(self) -> None:
        self.notice = ""
        check = services.verify_draw(self._raffle())
        self.verified = True
        self.verify_ok = check.ok
        self.verify_results = [[passed, text] for passed, text in check.results]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raffle = self._raffle()
        summary = draw_summary(raffle)
        context["raffle"] = raffle
        context["summary"] = summary
        if raffle.status == Raffle.Status.CLOSED and not (summary and summary.entries_hash):
            context["pending"] = list(
                services.pending_orders(raffle).values_list("code", flat=True)
            )
        if summary and summary.winners:
            context["winners"] = winner_rows(summary.winners)
        return context


def winner_rows(winners: Sequence[DrawWinner]) -> list[dict[str, Any]]:
    """A draw's winners for staff, each with the buyer of the winning order (one query)."""
    buyers = Buyer.objects.in_bulk([w.buyer_id for w in winners if w.buyer_id])
    return [{"winner": w, "buyer": buyers.get(w.buyer_id)} for w in winners]
