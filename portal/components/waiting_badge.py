"""The nav's alert: how many conversations wait for a person (the buyer asked for one and no
staff answer came yet). Tiny and polled, so a staff member on any page sees a new request."""

from __future__ import annotations

from messaging import selectors
from portal.components.base import StaffComponent


class WaitingBadgeView(StaffComponent):
    count: int = 0

    def mount(self) -> None:
        self.count = selectors.waiting_for_person().count()

    def refresh_count(self) -> None:
        self.count = selectors.waiting_for_person().count()
