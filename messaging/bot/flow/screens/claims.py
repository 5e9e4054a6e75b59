"""Winners: what to do to claim a prize and by when, and the answers to "claim"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.common import Replies, b_agent, b_menu, buttons, when
from messaging.bot.flow.snapshots import ClaimView

CLAIM_ID = "claim"


def b_claim() -> Button:
    return Button(CLAIM_ID, _("Claim my prize"))


def claim_notice_text(title: str, numbers: Sequence[str], deadline: datetime) -> str:
    return ngettext(
        "🎉 You won *%(title)s* with number %(numbers)s! To claim your prize, reply *claim* "
        "by %(deadline)s. Then we contact you here to deliver it.",
        "🎉 You won *%(title)s* with numbers %(numbers)s! To claim your prizes, reply *claim* "
        "by %(deadline)s. Then we contact you here to deliver them.",
        len(numbers),
    ) % {"title": title, "numbers": ", ".join(numbers), "deadline": when(deadline)}


def claim_notice(title: str, numbers: Sequence[str], deadline: datetime) -> Replies:
    return buttons(claim_notice_text(title, numbers, deadline), b_claim(), b_menu())


def claim_registered(claims: Sequence[ClaimView], name: str) -> Replies:
    prizes = "; ".join(f"*{c.raffle_title}* ({', '.join(c.numbers)})" for c in claims)
    text = (
        _("Done, %(name)s! Your claim is registered: %(prizes)s.")
        % {"name": name, "prizes": prizes}
        if name
        else _("Done! Your claim is registered: %(prizes)s.") % {"prizes": prizes}
    )
    return buttons(
        text + "\n\n" + _("We will contact you here to deliver your prize."), b_agent(), b_menu()
    )


def claim_already(claim: ClaimView) -> Replies:
    if claim.status == "delivered":
        text = _("Your prize of *%(title)s* was delivered. Congratulations again!")
    else:
        text = _(
            "Your claim for *%(title)s* is registered. We will contact you here to deliver it."
        )
    return buttons(text % {"title": claim.raffle_title}, b_agent(), b_menu())


def claim_expired(claim: ClaimView) -> Replies:
    return buttons(
        _(
            "The time to claim the prize of *%(title)s* ended on %(deadline)s. Tap *Talk to a "
            "person* if you need help."
        )
        % {"title": claim.raffle_title, "deadline": when(claim.deadline)},
        b_agent(),
        b_menu(),
    )


def no_claim() -> Replies:
    return buttons(
        _("You have no prize to claim. The draw results say who won: write *results*."),
        b_menu(),
    )
