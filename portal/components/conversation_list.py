"""Conversations: contacts with their last message, state, assignee and how many of the
buyer's messages this staff member has not read; those who asked for a person
(wants_agent) come first and are highlighted. Filters: mine / unassigned / all, open /
resolved, asked for a person, bot paused."""

from __future__ import annotations

from typing import Any

from messaging import inbox
from portal import conversations
from portal.components.base import StaffComponent
from portal.roles import Perm

SHOWN = 100


class ConversationListView(StaffComponent):
    _permission = Perm.VIEW_CONVERSATIONS
    q: str = ""
    only: str = ""
    show: str = "all"
    status: str = "open"
    selected: int = 0

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        only = self.only if self.only in {"agent", "paused"} else ""
        show = self.show if self.show in inbox.FILTERS else "all"
        status = self.status if self.status in inbox.STATUSES else "open"
        found = conversations.conversation_list(self.q.strip()[:100], only)
        found = inbox.by_status(inbox.scoped(found, user, show), status)
        contacts = list(inbox.with_unread(found, user)[:SHOWN])
        for contact in contacts:
            contact.state_label = conversations.state_label(contact.state)  # type: ignore[attr-defined]
        context["contacts"] = contacts
        return context
