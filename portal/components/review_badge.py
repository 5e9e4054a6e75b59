"""The nav's count of payment proofs waiting for review. Tiny and polled, so a staff member
on any page sees a new proof arrive without reloading."""

from __future__ import annotations

from portal.components.base import StaffComponent
from portal.roles import Perm
from raffles.selectors import proof_queue


class ReviewBadgeView(StaffComponent):
    _permission = Perm.VIEW_PAYMENTS
    count: int = 0

    def mount(self) -> None:
        self.count = proof_queue().count()

    def refresh(self) -> None:
        self.count = proof_queue().count()
