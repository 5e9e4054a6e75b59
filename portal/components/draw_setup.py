"""How a raffle is drawn, on its page: the method and the lottery fallback (while a draft),
the prizes' descriptions (until the draw), and its early-bird draws (announce one; draw it
once its cutoff has passed). Every rule lives in `raffles.services`; this component parses
input and calls one service per action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.components.base import StaffComponent, requires
from portal.components.draw_panel import lottery_result_of, winner_rows
from portal.roles import Perm
from raffles import draw_lottery, draw_method, services
from raffles.exceptions import InvalidInput
from raffles.models import Raffle
from raffles.selectors import draw_summary, early_draw_of, early_draw_summaries

EARLY_FIELDS = {"title": "early_title", "cutoff": "early_cutoff", "prize_names": "early_prizes"}


class DrawSetupView(StaffComponent):
    _permission = Perm.VIEW
    raffle_id: int = 0
    method: str = draw_method.METHOD
    fallback: str = draw_lottery.NEXT_PRIZE
    prize_names: str = ""
    early_title: str = ""
    early_cutoff: str = ""
    early_prizes: str = ""
    early_id: int = 0  # the early-bird draw being drawn
    external_value: str = ""
    lottery_numbers: str = ""
    lottery_source: str = ""
    lottery_url: str = ""
    lottery_date: str = ""
    notice: str = ""

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id or 0)
        raffle = Raffle.objects.filter(pk=self.raffle_id).first()
        summary = draw_summary(raffle) if raffle is not None else None
        if summary is not None:
            self.method = summary.method
            self.fallback = summary.fallback or draw_lottery.NEXT_PRIZE
            self.prize_names = "\n".join(summary.prize_names)

    def _raffle(self) -> Raffle:
        return Raffle.objects.get(pk=self.raffle_id)

    @requires(Perm.MANAGE_RAFFLES)
    def save_setup(self) -> None:
        self.notice = ""
        raffle = self._raffle()
        draft = raffle.status == Raffle.Status.DRAFT
        services.set_draw_setup(
            raffle,
            method=self.method if draft else None,
            fallback=self.fallback if draft and self.method == draw_lottery.METHOD else None,
            prize_names=self.prize_names,
            by=self.request.user,
        )
        self.notice = _("The draw's setup is saved.")

    @requires(Perm.MANAGE_RAFFLES)
    def announce_early(self) -> None:
        self.notice = ""
        try:
            parsed = datetime.fromisoformat(str(self.early_cutoff).strip())
        except ValueError:
            self.field_errors = {"early_cutoff": _("Enter a date and time.")}
            return
        cutoff = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        try:
            services.create_early_draw(
                self._raffle(),
                title=self.early_title,
                cutoff=cutoff,
                prize_names=self.early_prizes,
                by=self.request.user,
            )
        except InvalidInput as exc:  # the service names its own fields; show them here
            field = EARLY_FIELDS.get(str(exc.fields.get("field", "")), "early_title")
            self.field_errors = {field: exc.message}
            return
        self.early_title = self.early_cutoff = self.early_prizes = ""
        self.notice = _("The early-bird draw is announced on the public page.")

    @requires(Perm.MANAGE_RAFFLES)
    def draw_early(self, early_id: int) -> None:
        self.notice = ""
        early = early_draw_of(self._raffle(), int(early_id))
        if early is None:
            self.error = _("That record no longer exists. Reload the page.")
            return
        self.early_id = early.pk
        drawn = services.draw_early(
            early,
            external_value=self.external_value,
            lottery_result=lottery_result_of(self),
            by=self.request.user,
        )
        if drawn.is_drawn:
            self.notice = _("%(title)s is drawn: %(winners)s.") % {
                "title": drawn.title,
                "winners": ", ".join(drawn.winners),
            }
        else:
            self.notice = _("Result recorded; the draw waits for the next lottery result.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raffle = self._raffle()
        summary = draw_summary(raffle)
        context["raffle"] = raffle
        context["summary"] = summary
        context["is_draft"] = raffle.status == Raffle.Status.DRAFT
        context["methods"] = [
            (draw_method.METHOD, _("Secret seed and external value (HMAC-SHA256)")),
            (draw_lottery.METHOD, _("Last digits of the official lottery")),
        ]
        context["fallbacks"] = [
            (draw_lottery.NEXT_PRIZE, _("Next prize of the same lottery draw (2nd, 3rd … 5th)")),
            (draw_lottery.NEXT_SOLD, _("Nearest sold number above (wrapping around)")),
            (draw_lottery.REDRAW, _("Re-draw with the next date's lottery")),
        ]
        context["early_draws"] = [
            (early, winner_rows(early.winners)) for early in early_draw_summaries(raffle)
        ]
        context["now"] = timezone.now()
        context["can_announce"] = raffle.status in (Raffle.Status.DRAFT, Raffle.Status.ACTIVE)
        return context
