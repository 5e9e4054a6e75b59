"""Handover to a person: the answer when the buyer asks for one."""

from __future__ import annotations

from django.utils.translation import gettext as _

from messaging.bot.flow.replies import Text as TextReply
from messaging.bot.flow.screens.common import Replies


def agent() -> Replies:
    return (
        TextReply(
            _(
                "OK! A person from our team will answer you here as soon as possible. "
                "Until then I'll stay quiet."
            )
        ),
    )
