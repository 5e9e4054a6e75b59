"""Orders and payment: a hold, paying, proofs, cancelling, the buyer's tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.flow.replies import Button
from messaging.bot.flow.screens.amounts import amount_replies
from messaging.bot.flow.screens.common import (
    Replies,
    b_agent,
    b_help,
    b_menu,
    b_raffles,
    b_tickets,
    buttons,
    clock,
    lead,
    menu_buttons,
    minutes_left,
    money,
    number_list,
)
from messaging.bot.flow.screens.coupons import discount_lines
from messaging.bot.flow.screens.numbers import _take_button
from messaging.bot.flow.snapshots import OrderView, RaffleView, TicketsView


def _new_hold(
    order: OrderView, now: datetime, replaced: str, others: Sequence[OrderView]
) -> list[str]:
    """The lines of a new hold: the order, until when it is held, the hold it replaced and
    every other hold the buyer has (none is kept unawares)."""
    lines = [
        _("✅ Reserved for you! Order *%(code)s*") % {"code": order.code},
        order_summary(order),
    ]
    hold = hold_line(order, now)
    if hold:
        lines.append(hold)
    if replaced:
        lines.append(_("Your previous hold %(code)s was released.") % {"code": replaced})
    if others:
        lines.append(_("You also hold:"))
        lines.extend(hold_summary(o) for o in others)
    return lines


def order_summary(order: OrderView) -> str:
    return "\n".join(
        [
            _("Raffle: %(title)s") % {"title": order.raffle_title},
            ngettext("Number: %(numbers)s", "Numbers: %(numbers)s", len(order.numbers))
            % {"numbers": number_list(order.numbers)},
            *discount_lines(order),
            _("Total: *%(total)s*") % {"total": money(order.total, order.currency)},
        ]
    )


def hold_summary(order: OrderView) -> str:
    """One line naming a hold: "• *ABC123* · Bike: 005, 012 (20.00 USD)"."""
    numbers = number_list(order.numbers)
    total = money(order.total, order.currency)
    return f"• *{order.code}* · {order.raffle_title}: {numbers} ({total})"


def hold_line(order: OrderView, now: datetime) -> str:
    if order.expires_at is None:
        return ""
    return _("They are yours until %(time)s (%(minutes)d min).") % {
        "time": clock(order.expires_at),
        "minutes": minutes_left(order.expires_at, now),
    }


def reserved(
    order: OrderView,
    now: datetime,
    *,
    replaced: str = "",
    others: Sequence[OrderView] = (),
) -> Replies:
    """A new hold. Every other hold the buyer has is named, so none is kept unawares."""
    lines = _new_hold(order, now, replaced, others)
    lines.append(_("Tap *Confirm* to get the payment details, or *Cancel* to release them."))
    return buttons(
        "\n".join(lines),
        Button(f"confirm:{order.code}", _("Confirm")),
        Button(f"cancel:{order.code}", _("Cancel")),
    )


def how_to_pay(order: OrderView) -> list[str]:
    lines = [
        _("How to pay:"),
        order.payment_instructions.strip() or _("Ask us how to pay: tap *Talk to a person*."),
    ]
    if order.pix_code:
        lines.append(
            _("Or pay with Pix: scan the QR code below, or copy the Pix code that follows it.")
        )
    return [
        *lines,
        "",
        _("Use *%(code)s* as the payment reference.") % {"code": order.code},
        _("Then send a photo or a PDF of your receipt here."),
    ]


def payment_buttons(order: OrderView, body: str) -> Replies:
    replies = buttons(body, Button(f"cancel:{order.code}", _("Cancel order")), b_agent(), b_help())
    return (*replies, *amount_replies(order))


def payment(order: OrderView, now: datetime) -> Replies:
    lines = [
        _("Order *%(code)s*") % {"code": order.code},
        order_summary(order),
        "",
        *how_to_pay(order),
    ]
    if order.expires_at and not order.proof_received:
        lines.append(
            _("Please pay before %(time)s, or the numbers are released.")
            % {"time": clock(order.expires_at)}
        )
    return payment_buttons(order, "\n".join(lines))


def reserved_to_pay(
    order: OrderView,
    now: datetime,
    *,
    replaced: str = "",
    others: Sequence[OrderView] = (),
) -> Replies:
    """A new hold the buyer asked for in so many words: reserved, and how to pay, in one
    message (no *Confirm* step). Every other hold she has is named."""
    lines = _new_hold(order, now, replaced, others)
    lines += ["", *how_to_pay(order)]
    return payment_buttons(order, "\n".join(lines))


def same_hold(order: OrderView, now: datetime) -> Replies:
    """The same request again (a double tap, a message sent twice): the hold it made."""
    return lead(_("You already have these numbers reserved; nothing changed."), payment(order, now))


def proof_received(order: OrderView, *, late: bool = False) -> Replies:
    lines = [
        _("📄 Got it! We received your payment receipt for order *%(code)s* (%(total)s).")
        % {"code": order.code, "total": money(order.total, order.currency)},
        _("Our team will check it and message you here."),
    ]
    if late:
        lines.append(
            _("Your hold had already expired: we will check that your numbers are still free.")
        )
    else:
        lines.append(_("Your numbers stay reserved meanwhile."))
    return buttons("\n".join(lines), b_tickets(), b_menu())


def proof_unreadable(detail: str = "") -> Replies:
    text = _("I could not use that file.")
    if detail:
        text += f" ({detail})"
    return buttons(
        text + " " + _("Please send the payment receipt as a photo (JPEG or PNG) or a PDF."),
        b_tickets(),
        b_agent(),
    )


def media_without_order() -> Replies:
    return buttons(
        _(
            "Thanks for the file! I don't see any order waiting for payment, so I don't know "
            "what it is for. If it is a payment receipt, talk to a person, or reserve numbers "
            "first."
        ),
        b_tickets(),
        b_agent(),
        b_menu(),
    )


def hold_expired(order: OrderView, raffle: RaffleView | None) -> Replies:
    text = _(
        "⌛ Your hold on %(numbers)s (order %(code)s) expired and the numbers were released."
    ) % {
        "numbers": number_list(order.numbers),
        "code": order.code,
    }
    retry = None
    if raffle is not None and raffle.selling and order.raw_numbers:
        retry = _take_button(raffle, order.raw_numbers, _("Try them again"))
        text += " " + _("Tap *Try them again* to reserve them again, if they are still free.")
    return buttons(text, retry, b_raffles(), b_menu())


def order_not_found(code: str) -> Replies:
    return lead(
        _("I can't find an order %(code)s.") % {"code": code}, menu_buttons(_("Main menu."))
    )


def order_closed(order: OrderView) -> Replies:
    if order.is_paid:
        return lead(
            _("Order *%(code)s* is already paid. ✅") % {"code": order.code}, receipt(order)
        )
    if order.is_cancelled:
        text = _("Order *%(code)s* was cancelled and its numbers were released.") % {
            "code": order.code
        }
    else:
        text = _("Order *%(code)s* expired and its numbers were released.") % {"code": order.code}
    return buttons(text, b_raffles(), b_menu())


def already_reviewing(order: OrderView) -> Replies:
    return buttons(
        _("We already have your payment receipt for order *%(code)s*; our team is checking it.")
        % {"code": order.code},
        b_tickets(),
        b_menu(),
    )


def payment_reference(order: OrderView) -> Replies:
    return buttons(
        _(
            "If that is a payment reference, please send a photo or a PDF of the receipt "
            "instead. To buy more numbers, tap *Raffles*."
        ),
        Button(f"pay:{order.code}", _("How to pay")),
        b_raffles(),
        b_menu(),
    )


def maybe_reference() -> str:
    return _("If that was a payment reference, send a photo or a PDF of the receipt instead.")


def cancelled(order: OrderView) -> Replies:
    return menu_buttons(
        _("Order %(code)s is cancelled; numbers %(numbers)s were released.")
        % {"code": order.code, "numbers": number_list(order.numbers)}
    )


def ask_cancel(order: OrderView, others: int) -> Replies:
    text = _("Cancel order *%(code)s* (%(title)s: %(numbers)s)?") % {
        "code": order.code,
        "title": order.raffle_title,
        "numbers": number_list(order.numbers),
    }
    if others:
        text += " " + _("You have other orders too: see *my tickets*.")
    return buttons(
        text,
        Button(f"cancel:{order.code}", _("Yes, cancel it")),
        Button(f"keep:{order.code}", _("No, keep it")),
    )


def cannot_cancel_reviewing(order: OrderView) -> Replies:
    return buttons(
        _(
            "We are checking your payment for order *%(code)s*, so it can't be cancelled here. "
            "Talk to a person if you need to change it."
        )
        % {"code": order.code},
        b_agent(),
        b_menu(),
    )


def nothing_to_cancel() -> Replies:
    return menu_buttons(_("There is nothing to cancel."))


def kept(order: OrderView, now: datetime) -> Replies:
    return lead(_("OK, your order stays as it is."), payment(order, now))


def tickets(paid: Sequence[TicketsView], live: Sequence[OrderView], now: datetime) -> Replies:
    if not paid and not live:
        return buttons(_("You have no tickets yet."), b_raffles(), b_menu())
    lines: list[str] = []
    if paid:
        lines.append(_("🎟️ *Your paid numbers*"))
        lines.extend(f"{t.raffle_title}: {number_list(t.numbers)}" for t in paid)
    if live:
        if lines:
            lines.append("")
        lines.append(_("⏳ *Waiting*"))
        for order in live:
            if order.proof_received:
                status = _("we are checking your payment")
            elif order.hold_expired(now):
                status = _("hold expired")
            elif order.expires_at:
                status = _("waiting for payment until %(time)s") % {"time": clock(order.expires_at)}
            else:
                status = _("waiting for payment")
            lines.append(
                f"{order.code} · {order.raffle_title}: {number_list(order.numbers)} ({status})"
            )
    unpaid = next((o for o in live if not o.proof_received and not o.hold_expired(now)), None)
    return buttons(
        "\n".join(lines),
        Button(f"pay:{unpaid.code}", _("How to pay")) if unpaid else None,
        b_raffles(),
        b_menu(),
    )


def receipt(order: OrderView) -> Replies:
    return buttons(
        _("🎉 Payment confirmed! Thank you.")
        + "\n"
        + _("Order *%(code)s*") % {"code": order.code}
        + "\n"
        + order_summary(order)
        + "\n"
        + _("Good luck! 🍀"),
        b_tickets(),
        b_raffles(),
    )
