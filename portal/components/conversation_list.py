"""Conversations: contacts with their last message and state; those who asked for a person
(wants_agent) come first and are highlighted."""

from __future__ import annotations

from typing import Any

from portal import conversations
from portal.components.base import StaffComponent
from portal.roles import Perm

SHOWN = 100


class ConversationListView(StaffComponent):
    _permission = Perm.VIEW_CONVERSATIONS
    q: str = ""
    only: str = ""
    selected: int = 0

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        only = self.only if self.only in {"agent", "paused"} else ""
        context["contacts"] = list(
            conversations.conversation_list(self.q.strip()[:100], only)[:SHOWN]
        )
        return context
