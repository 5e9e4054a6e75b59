"""Raffles: the list, filtered by status (archived raffles only under their own filter).
Polls (1 s) only while numbers are being generated, to move the progress bars."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator

from portal.components.base import StaffComponent, requires
from portal.roles import Perm
from raffles.models import Raffle
from raffles.selectors import raffles_listed

ARCHIVED = "archived"  # the status filter's value for archived raffles (any status)

PAGE_SIZE = 25


class RaffleListView(StaffComponent):
    _permission = Perm.VIEW
    status: str = ""
    page: int = 1
    generating: bool = False

    def mount(self) -> None:
        self.generating = self._any_generating()

    def _any_generating(self) -> bool:
        return Raffle.objects.filter(generation_status=Raffle.Generation.RUNNING).exists()

    def updated_status(self, value: str) -> None:
        self.page = 1

    @requires(Perm.VIEW)
    def go(self, page: int) -> None:
        self.page = max(1, int(page))

    def tick(self) -> None:
        self.generating = self._any_generating()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.status if self.status in Raffle.Status.values else None
        qs = raffles_listed(status=status, archived=self.status == ARCHIVED)
        page = Paginator(qs, PAGE_SIZE).get_page(self.page)
        context.update(raffles=page, statuses=Raffle.Status.choices)
        return context
