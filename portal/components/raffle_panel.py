"""One raffle: its settings, counts and money; generate numbers (with a progress bar for big
ranges, polled every second while a background task fills them), activate, close, archive,
restore, delete."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.components.base import StaffComponent, redirect_to, requires
from portal.roles import Perm
from raffles import services
from raffles.models import Raffle
from raffles.selectors import raffle_can_be_deleted, raffle_counts, raffle_money

CONFIRMED_ACTIONS = ("archive", "delete")  # each asks "are you sure?" first


class RafflePanelView(StaffComponent):
    _permission = Perm.VIEW
    raffle_id: int = 0
    generating: bool = False
    notice: str = ""
    confirming_close: bool = False
    confirming: str = ""  # the action in CONFIRMED_ACTIONS whose confirmation shows

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id or 0)
        if self.raffle_id:  # 0 when rebuilt from an expired cache: the browser sends the id
            self._sync()

    def _raffle(self) -> Raffle:
        return Raffle.objects.get(pk=self.raffle_id)

    def _sync(self) -> Raffle:
        raffle = self._raffle()
        was_generating = self.generating
        self.generating = raffle.generation_status == Raffle.Generation.RUNNING
        if was_generating and raffle.generation_status == Raffle.Generation.DONE:
            self.notice = _ready(raffle)  # the background notice is over
        return raffle

    def tick(self) -> None:
        self._sync()

    @requires(Perm.MANAGE_RAFFLES)
    def generate(self) -> None:
        self.notice = ""
        ready = services.start_ticket_generation(raffle=self._raffle(), by=self.request.user)
        raffle = self._sync()
        self.notice = (
            _ready(raffle)
            if ready
            else _("Generating numbers in the background; this page shows the progress.")
        )

    @requires(Perm.MANAGE_RAFFLES)
    def activate(self) -> None:
        self.notice = ""
        services.activate_raffle(raffle=self._raffle(), by=self.request.user)
        self.notice = _("The raffle is active: buyers can buy numbers now.")
        self._sync()

    @requires(Perm.MANAGE_RAFFLES)
    def close(self) -> None:
        self.notice = ""
        self.confirming_close = False
        services.close_raffle(self._raffle(), by=self.request.user)
        self.notice = _("Sales are closed. Orders waiting for payment can still be confirmed.")
        self._sync()

    @requires(Perm.MANAGE_RAFFLES)
    def ask(self, action: str) -> None:
        """Show the confirmation of `action` (or hide it: any other value)."""
        self.confirming = action if action in CONFIRMED_ACTIONS else ""

    @requires(Perm.MANAGE_RAFFLES)
    def archive(self) -> None:
        self.notice = ""
        self.confirming = ""
        services.archive_raffle(raffle=self._raffle(), by=self.request.user)
        self.notice = _("Archived: hidden from the lists and the bot, kept with its orders.")
        self._sync()

    @requires(Perm.MANAGE_RAFFLES)
    def restore(self) -> None:
        self.notice = ""
        services.restore_raffle(raffle=self._raffle(), by=self.request.user)
        self.notice = _("The raffle is back in the lists.")
        self._sync()

    @requires(Perm.MANAGE_RAFFLES)
    def delete(self) -> Any:
        self.confirming = ""
        services.delete_raffle(raffle=self._raffle(), by=self.request.user)
        return redirect_to(reverse("portal:raffles"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raffle = self._raffle()
        context["raffle"] = raffle
        context["can_delete"] = not raffle.is_archived and raffle_can_be_deleted(raffle)
        if raffle.generation_status == Raffle.Generation.DONE:
            context["counts"] = raffle_counts(raffle)
        context["money"] = raffle_money(raffle)
        return context


def _ready(raffle: Raffle) -> str:
    return ngettext("%(count)s number is ready.", "%(count)s numbers are ready.", raffle.size) % {
        "count": f"{raffle.size:,}"
    }
