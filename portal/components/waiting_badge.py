"""The nav's alerts: how many conversations wait for a person (the buyer asked for one and
no staff answer came yet), and how many of the buyer's messages this staff member has not
read in conversations assigned to them or to nobody (also put in the page title, and a
browser notification when it grows, if the staff member allowed them). Tiny and polled, so
a staff member on any page sees news."""

from __future__ import annotations

from messaging import inbox, selectors
from portal.components.base import StaffComponent, requires
from portal.roles import Perm


class WaitingBadgeView(StaffComponent):
    _permission = Perm.VIEW_CONVERSATIONS
    count: int = 0
    unread: int = 0

    def mount(self) -> None:
        self._count()

    def _count(self) -> None:
        self.count = selectors.waiting_for_person().count()
        self.unread = inbox.unread_total(self.request.user)

    @requires(Perm.VIEW_CONVERSATIONS)
    def refresh_count(self) -> None:
        self._count()
