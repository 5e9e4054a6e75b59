"""Dashboard: per active raffle, numbers sold / reserved / available, money confirmed and
pending, proofs waiting; the latest events. Re-rendered by the page's `live-version`."""

from __future__ import annotations

from typing import Any

from portal.components.base import StaffComponent
from portal.queries import active_raffle_summaries, describe_event, event_label, latest_events
from portal.roles import Perm
from raffles.selectors import proof_queue


class DashboardView(StaffComponent):
    _permission = Perm.VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        events = latest_events()
        context.update(
            summaries=active_raffle_summaries(),
            waiting=proof_queue().count(),
            events=[(e, event_label(e.kind), describe_event(e)) for e in events],
        )
        return context
