"""Handover to a person: the answer when the buyer asks for one, and when she comes back."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.common import Replies, buttons


def b_back_to_bot() -> Button:
    return Button("menu", _("Back to the bot"))


def opening(value: datetime) -> str:
    """The next opening, with its time zone: "Monday 7 Dec, 09:00 (America/Bogota)"."""
    zone = getattr(value.tzinfo, "key", "") or settings.TIME_ZONE
    return "{when} ({zone})".format(
        when=formats.date_format(value, "l j M, H:i"),
        zone=zone,
    )


def agent(opens_at: datetime | None = None) -> Replies:
    lines = [
        _(
            "OK! A person from our team will answer you here as soon as possible. "
            "Until then I'll stay quiet."
        )
    ]
    if opens_at is not None:
        lines.append(
            _("Our team is away right now: a person will answer you from %(when)s.")
            % {"when": opening(opens_at)}
        )
    lines.append(
        _(
            "You can still send the photo or PDF of your payment receipt here. "
            "To go back to the bot, type *menu* or tap the button."
        )
    )
    return buttons("\n\n".join(lines), b_back_to_bot())


def back_with_the_bot() -> str:
    return _("You're back with the bot.")
