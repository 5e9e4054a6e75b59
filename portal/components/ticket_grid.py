"""The ticket grid: one block of numbers (250 to 2,000) rendered as plain HTML buttons in one
component, never one component per number. A block bar jumps between blocks (with sold and
reserved counts), a box jumps to a number, a filter shows one status. Clicking a number is
handled by portal.js, which asks the `ticket-detail` component to show it.

The grid never polls: the page's `live-version` component checks the raffle's fingerprint
every second and calls `refresh` here only when something changed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext as _

from portal.components.base import StaffComponent, requires
from portal.queries import (
    BLOCK_SIZES,
    DEFAULT_BLOCK_SIZE,
    STATUSES,
    block_index_of,
    block_taken_counts,
    blocks_of,
    grid_cells,
)
from portal.roles import Perm
from raffles.models import Raffle, TicketNumber

MAX_BLOCK_BUTTONS = 40


def status_names() -> dict[str, str]:
    """A number's status in words, part of its accessible name ("0005, sold")."""
    return {
        TicketNumber.Status.AVAILABLE: gettext("available"),
        TicketNumber.Status.RESERVED: gettext("reserved"),
        TicketNumber.Status.SOLD: gettext("sold"),
        TicketNumber.Status.BLOCKED: gettext("blocked from sale"),
    }


class TicketGridView(StaffComponent):
    _permission = Perm.VIEW
    raffle_id: int = 0
    block_size: int = DEFAULT_BLOCK_SIZE
    anchor: int = -1  # a number inside the block shown (kept when the block size changes)
    status: str = ""
    jump: str = ""
    highlight: int = -1

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id)

    def _raffle(self) -> Raffle:
        return Raffle.objects.get(pk=self.raffle_id)

    def _size(self) -> int:
        return self.block_size if self.block_size in BLOCK_SIZES else DEFAULT_BLOCK_SIZE

    def _block_index(self, raffle: Raffle) -> int:
        anchor = min(max(int(self.anchor), raffle.min_number), raffle.max_number)
        return block_index_of(raffle, anchor, self._size())

    @requires(Perm.VIEW)
    def go(self, index: int) -> None:
        raffle = self._raffle()
        last = (raffle.size - 1) // self._size()
        index = max(0, min(int(index), last))
        self.anchor = raffle.min_number + index * self._size()

    @requires(Perm.VIEW)
    def previous(self) -> None:
        self.go(self._block_index(self._raffle()) - 1)

    @requires(Perm.VIEW)
    def next(self) -> None:
        self.go(self._block_index(self._raffle()) + 1)

    @requires(Perm.VIEW)
    def jump_to(self) -> None:
        raffle = self._raffle()
        raw = (self.jump or "").strip()
        if not raw.isdigit():
            self.field_errors = {"jump": _("Type a number.")}
            return
        number = int(raw)
        if not raffle.min_number <= number <= raffle.max_number:
            self.field_errors = {
                "jump": f"Numbers go from {raffle.format_number(raffle.min_number)}"
                f" to {raffle.format_number(raffle.max_number)}."
            }
            return
        self.status = ""
        self.highlight = number
        self.anchor = number
        self.call("Unicorn.call", "ticket-detail", "show", number)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raffle = self._raffle()
        size = self._size()
        blocks = blocks_of(raffle, size)
        current = blocks[self._block_index(raffle)] if blocks else None
        status = self.status if self.status in STATUSES else ""
        names = status_names()
        cells = [
            (n, label, st, names.get(st, st.lower()))
            for n, label, st in (
                grid_cells(raffle, current.start, current.end, status) if current else []
            )
        ]
        numbers = [cell[0] for cell in cells]
        taken = block_taken_counts(raffle, size) if len(blocks) <= MAX_BLOCK_BUTTONS else {}
        context.update(
            raffle=raffle,
            blocks=[(b, taken.get(b.index, {})) for b in blocks],
            many_blocks=len(blocks) > MAX_BLOCK_BUTTONS,
            current=current,
            cells=cells,
            statuses=STATUSES,
            sizes=BLOCK_SIZES,
            width=raffle.number_width,
            # the one number of the block reached by Tab (roving tabindex, see portal.js)
            focus=self.highlight if self.highlight in numbers else next(iter(numbers), None),
        )
        return context
