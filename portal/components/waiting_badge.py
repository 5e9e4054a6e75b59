"""The nav's alert: how many conversations wait for a person (the buyer asked for one and no
staff answer came yet). Tiny and polled, so a staff member on any page sees a new request."""

from __future__ import annotations

from messaging import selectors
from portal.components.base import StaffComponent, requires
from portal.roles import Perm


class WaitingBadgeView(StaffComponent):
    _permission = Perm.VIEW_CONVERSATIONS
    count: int = 0

    def mount(self) -> None:
        self.count = selectors.waiting_for_person().count()

    @requires(Perm.VIEW_CONVERSATIONS)
    def refresh_count(self) -> None:
        self.count = selectors.waiting_for_person().count()
