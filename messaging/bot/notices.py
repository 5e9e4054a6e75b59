"""What each buyer notification says, with its buttons and its template: the text and reply
buttons go out inside the 24-hour window, the template (messaging.bot.message_templates)
outside it. Called inside `translation.override(<the buyer's language>)`.

Button ids are the bot's own (flow.buyer_text.parse_reply_id), so a tap on a notification,
or on a template's quick reply, does what the same button does in the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging.bot import message_templates as mt
from messaging.bot.flow import screens
from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.common import (
    b_agent,
    b_menu,
    b_raffles,
    b_tickets,
    clock,
    money,
    number_list,
    when,
)
from messaging.bot.flow.snapshots import OrderView, ResultView
from messaging.channel.templates import TemplateMessage


@dataclass(frozen=True)
class Notice:
    text: str
    buttons: tuple[Button, ...] = ()
    template: TemplateMessage | None = None
    marketing: bool = False  # not sent to a buyer who said "stop"

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(b.id, b.title) for b in self.buttons]


def _language() -> str:
    from messaging.bot.flow import language

    return language.normalize(translation.get_language() or "en") or "en"


def _template(
    definition: mt.TemplateDefinition, body: Sequence[str], buttons: Sequence[str]
) -> TemplateMessage:
    return mt.message(definition, _language(), [p or "-" for p in body], buttons)


def _zoned(value: datetime | None, text: str) -> str:
    if value is None:
        return "-"
    return f"{text} ({timezone.get_current_timezone_name()})"


def _pay(order: OrderView) -> Button:
    return Button(f"pay:{order.code}", _("How to pay"))


def _cancel(order: OrderView) -> Button:
    return Button(f"cancel:{order.code}", _("Cancel order"))


def receipt(order: OrderView, ticket_url: str, ticket_suffix: str) -> Notice:
    """The receipt, with the order's e-ticket (`ticket_url`; `ticket_suffix`: its path after
    the template URL button's fixed part)."""
    text = screens.notify_receipt(order)
    text += "\n" + _("🎟️ Your e-ticket: %(url)s") % {"url": ticket_url}
    return Notice(
        text,
        (b_tickets(), b_menu()),
        _template(
            mt.RECEIPT,
            [
                order.code,
                order.raffle_title,
                number_list(order.numbers),
                money(order.total, order.currency),
            ],
            ["tickets", "menu", ticket_suffix],
        ),
    )


def reserved(order: OrderView, now: datetime) -> Notice:
    return Notice(screens.notify_reserved(order, now), (_pay(order), _cancel(order)))


def hold_reminder(order: OrderView, now: datetime) -> Notice:
    expires = order.expires_at
    return Notice(
        screens.notify_reminder(order, now),
        (_pay(order), _cancel(order)),
        _template(
            mt.HOLD_REMINDER,
            [
                order.code,
                number_list(order.numbers),
                _zoned(expires, clock(expires) if expires else ""),
                money(order.total, order.currency),
            ],
            [f"pay:{order.code}", f"cancel:{order.code}"],
        ),
    )


def hold_expired(order: OrderView) -> Notice:
    return Notice(
        screens.notify_expired(order),
        (b_raffles(), b_menu()),
        _template(
            mt.HOLD_EXPIRED,
            [number_list(order.numbers), order.code, order.raffle_title],
            ["raffles", "menu"],
        ),
    )


def proof_received(order: OrderView) -> Notice:
    return Notice(screens.notify_proof_received(order), (b_tickets(), b_menu()))


def payment_rejected(order: OrderView, reason: str, now: datetime) -> Notice:
    first = _pay(order) if order.is_live else b_tickets()
    return Notice(
        screens.notify_rejected(order, reason, now),
        (first, b_agent()),
        _template(mt.PAYMENT_REJECTED, [order.code, reason], ["tickets", "agent"]),
    )


def cancelled(order: OrderView) -> Notice:
    return Notice(screens.notify_cancelled(order), (b_raffles(), b_agent()))


def drawn(result: ResultView, page_url: str) -> Notice:
    mine = screens.you_won(result.mine) if result.mine else _("Your numbers did not win this time.")
    return Notice(
        screens.notify_drawn(result.raffle_title, result.winners, result.url, result.mine),
        (Button("results", _("Results")), b_tickets()),
        _template(
            mt.DRAW_RESULT,
            [result.raffle_title, ", ".join(result.winners), mine],
            [mt.url_suffix(result.url or page_url), "results"],
        ),
    )


def early_drawn(result: ResultView) -> Notice:
    """An early-bird draw's result: the raffle's result template, titled "raffle — draw"."""
    still = _("All your numbers still play in the main draw.")
    mine = screens.you_won(result.mine) if result.mine else still
    return Notice(
        screens.notify_early_drawn(
            result.raffle_title, result.draw_title, result.winners, result.url, result.mine
        ),
        (b_tickets(), b_menu()),
        _template(
            mt.DRAW_RESULT,
            [f"{result.raffle_title} — {result.draw_title}", ", ".join(result.winners), mine],
            [mt.url_suffix(result.url), "results"],
        ),
    )


def draw_reminder(title: str, draw_at: datetime, numbers: Sequence[str], page_url: str) -> Notice:
    text = _(
        "🗓️ Reminder: *%(title)s* is drawn on %(when)s. Your numbers: %(numbers)s. Good luck!"
    ) % {"title": title, "when": _zoned(draw_at, when(draw_at)), "numbers": number_list(numbers)}
    text += "\n" + _("Check the draw: %(url)s") % {"url": page_url}
    return Notice(
        text,
        (b_tickets(), b_menu()),
        _template(
            mt.DRAW_REMINDER,
            [title, _zoned(draw_at, when(draw_at)), number_list(numbers)],
            ["tickets", mt.url_suffix(page_url)],
        ),
        marketing=True,
    )


def prize_claim(title: str, numbers: Sequence[str], deadline: datetime) -> Notice:
    from messaging.bot.flow.screens import claims

    text = claims.claim_notice_text(title, numbers, deadline)
    return Notice(
        text,
        (claims.b_claim(), b_menu()),
        _template(
            mt.PRIZE_CLAIM,
            [title, number_list(numbers), _zoned(deadline, when(deadline))],
            [claims.CLAIM_ID, "menu"],
        ),
    )
