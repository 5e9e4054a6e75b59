"""Every text the bot and the notifications send, built as channel-agnostic replies.

Pure: no database. Texts go through gettext, so the caller picks the language with
`translation.override(...)`. Button and row ids say what they mean on their own (see
`buyer_text.parse_reply_id`), so a tap on an old message still does the right thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from messaging.bot.flow import buyer_text
from messaging.bot.flow.replies import (
    BODY_MAX,
    BUTTON_ID_MAX,
    MAX_ROWS,
    Button,
    Buttons,
    List,
    Reply,
    Row,
    Section,
)
from messaging.bot.flow.replies import Text as TextReply
from messaging.bot.flow.snapshots import OrderView, RaffleView, ResultView, TicketsView

PAGE_SIZE = 9  # when raffles do not fit in one list, nine rows and a "More…" row
MAX_SHOWN_NUMBERS = 60
QUICK_QUANTITIES = (1, 2, 3, 5, 10)

Replies = tuple[Reply, ...]


# --- Formatting ------------------------------------------------------------------------------


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def when(value: datetime) -> str:
    """A date and time in settings.TIME_ZONE, e.g. "5 Dec 2025, 18:30"."""
    return formats.date_format(timezone.localtime(value), "j M Y, H:i")


def clock(value: datetime) -> str:
    return formats.time_format(timezone.localtime(value), "H:i")


def minutes_left(until: datetime, now: datetime) -> int:
    return max(0, -int(-(until - now).total_seconds() // 60))


def number_list(numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers[:MAX_SHOWN_NUMBERS])
    if len(numbers) > MAX_SHOWN_NUMBERS:
        more = len(numbers) - MAX_SHOWN_NUMBERS
        shown += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
    return shown


def fmt_numbers(raffle: RaffleView | None, numbers: Sequence[int]) -> str:
    if raffle is None:
        return number_list([str(n) for n in numbers])
    return number_list([raffle.fmt(n) for n in numbers])


def snippet(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def other_language_hint() -> str:
    """Always written in the other language, so a buyer who cannot read this one finds it."""
    if (get_language() or "en").startswith("es"):
        return "Type *english* for English."
    return "Escribe *español* para leer en español."


def take_id(raffle_id: int, numbers: Sequence[int]) -> str | None:
    """The id of a button that reserves these numbers, or None when it would be too long."""
    value = f"take:{raffle_id}:{buyer_text.encode_numbers(numbers)}"
    return value if len(value) <= BUTTON_ID_MAX else None


def buttons(body: str, *items: Button | None) -> Replies:
    """A buttons message; a body too long for one goes first as a plain text."""
    chosen = tuple(b for b in items if b is not None)[:3]
    if not chosen:
        return (TextReply(body),)
    if len(body) <= BODY_MAX:
        return (Buttons(body, chosen),)
    return (TextReply(body), Buttons(_("What would you like to do?"), chosen))


def lead(text: str, replies: Replies) -> Replies:
    """Put `text` in front of the first reply's body (one message instead of two)."""
    if not text:
        return replies
    first, *rest = replies
    joined = f"{text}\n\n{first.body}"
    if isinstance(first, Buttons):
        return (*buttons(joined, *first.buttons), *rest)
    if isinstance(first, List) and len(joined) <= BODY_MAX:
        return (List(joined, first.button, first.sections), *rest)
    if isinstance(first, TextReply):
        return (TextReply(joined), *rest)
    return (TextReply(text), *replies)


# Buttons used in many places.
def b_raffles() -> Button:
    return Button("raffles", _("Raffles"))


def b_tickets() -> Button:
    return Button("tickets", _("My tickets"))


def b_help() -> Button:
    return Button("help", _("Help"))


def b_menu() -> Button:
    return Button("menu", _("Menu"))


def b_agent() -> Button:
    return Button("agent", _("Talk to a person"))


def b_back() -> Button:
    return Button("back", _("Back"))


# --- Main menu and raffles --------------------------------------------------------------------


def menu_buttons(body: str) -> Replies:
    return buttons(body, b_raffles(), b_tickets(), b_help())


def main_menu(
    name: str,
    raffles: Sequence[RaffleView],
    total: int,
    live: Sequence[OrderView],
    *,
    welcome: bool = True,
) -> Replies:
    first = name.split()[0] if name.strip() else ""
    if welcome:
        hello = _("Hi %(name)s! 👋") % {"name": first} if first else _("Hi! 👋")
        lines = [hello + " " + _("Welcome to our raffles. 🎟️")]
    else:
        lines = [_("Main menu.")]
    if total:
        lines.append(_("Pick a raffle from the list below, or tap a button."))
    else:
        lines.append(_("There are no raffles on sale right now. Come back soon!"))
    for order in live[:2]:
        if order.proof_received:
            lines.append(
                _("Order *%(code)s*: we are checking your payment.") % {"code": order.code}
            )
        else:
            lines.append(
                _("Order *%(code)s* is waiting for payment: type *pay* to see how.")
                % {"code": order.code}
            )
    lines.append(_("Type *help* at any time.") + " " + other_language_hint())
    replies = menu_buttons("\n".join(lines))
    if total:
        replies = (*replies, raffle_list(raffles, 1, total))
    return replies


def raffle_row(raffle: RaffleView) -> Row:
    description = (
        _("%(price)s · %(left)s left")
        % {"price": money(raffle.price, raffle.currency), "left": raffle.left}
        if raffle.left
        else _("%(price)s · sold out") % {"price": money(raffle.price, raffle.currency)}
    )
    return Row(f"raffle:{raffle.id}", raffle.title, description)


def page_count(total: int) -> int:
    return 1 if total <= MAX_ROWS else -(-total // PAGE_SIZE)


def raffle_list(raffles: Sequence[RaffleView], page: int, total: int) -> List:
    pages = page_count(total)
    rows = [raffle_row(r) for r in raffles[: MAX_ROWS if pages == 1 else PAGE_SIZE]]
    if page < pages:
        rows.append(Row(f"page:{page + 1}", _("More…"), _("See more raffles")))
    elif pages > 1:
        rows.append(Row("page:1", _("Back to the start"), _("First page of raffles")))
    if pages > 1:
        body = _("Raffles on sale (page %(page)d of %(pages)d). Tap *Raffles* to choose.") % {
            "page": page,
            "pages": pages,
        }
    else:
        body = _("Raffles on sale now. Tap *Raffles* to choose one.")
    return List(body, _("Raffles"), (Section(_("On sale"), tuple(rows)),))


def no_raffles() -> Replies:
    return buttons(
        _("There are no raffles on sale right now. Come back soon!"), b_tickets(), b_help()
    )


def raffle_details_text(raffle: RaffleView) -> str:
    lines = [f"*{raffle.title}*"]
    if raffle.prize:
        lines.append(_("🎁 Prize: %(prize)s") % {"prize": raffle.prize})
    lines.append(
        _("💵 Price: %(price)s per number") % {"price": money(raffle.price, raffle.currency)}
    )
    lines.append(
        _("🔢 Numbers %(first)s to %(last)s: %(left)s left")
        % {
            "first": raffle.fmt(raffle.min_number),
            "last": raffle.fmt(raffle.max_number),
            "left": raffle.left,
        }
    )
    if raffle.sales_close_at:
        lines.append(_("⏳ Sales close: %(date)s") % {"date": when(raffle.sales_close_at)})
    if raffle.draw_at:
        lines.append(_("🎲 Draw: %(date)s") % {"date": when(raffle.draw_at)})
    if raffle.commitment:
        lines.append(_("🔐 Draw commitment: %(hash)s") % {"hash": raffle.commitment})
    return "\n".join(lines)


def how_to_choose(raffle: RaffleView) -> str:
    return _(
        "Send the numbers you want (for example *5, 12* or *10-15*), or *random 3* for three "
        "numbers picked at random. Up to %(max)d numbers per order."
    ) % {"max": raffle.max_per_order}


def quantity_rows(raffle: RaffleView) -> list[Row]:
    top = min(raffle.max_per_order, raffle.left)
    quantities = [q for q in QUICK_QUANTITIES if q <= top]
    if top and top not in quantities and len(quantities) < len(QUICK_QUANTITIES):
        quantities.append(top)
    return [
        Row(
            f"random:{raffle.id}:{q}",
            ngettext("%(n)d random number", "%(n)d random numbers", q) % {"n": q},
            money(raffle.price * q, raffle.currency),
        )
        for q in quantities
    ]


def raffle_details(raffle: RaffleView) -> Replies:
    details = raffle_details_text(raffle)
    if raffle.left == 0:
        return buttons(
            details + "\n\n" + _("All numbers are taken. 😔 Look at the other raffles."),
            b_raffles(),
            b_menu(),
        )
    body = f"{details}\n\n{how_to_choose(raffle)}"
    rows = [
        Row(f"pick:{raffle.id}", _("I'll type my numbers"), _("Choose exactly which numbers")),
        *quantity_rows(raffle),
    ]
    choose = List(body, _("Choose numbers"), (Section(_("How to choose"), tuple(rows)),))
    if len(body) <= BODY_MAX:
        return (choose,)
    return (TextReply(details), List(how_to_choose(raffle), choose.button, choose.sections))


def ask_numbers(raffle: RaffleView) -> Replies:
    return buttons(
        _(
            "Type the numbers you want, from %(first)s to %(last)s, for example *5, 12, 40* or "
            "*10-15*. Up to %(max)d per order."
        )
        % {
            "first": raffle.fmt(raffle.min_number),
            "last": raffle.fmt(raffle.max_number),
            "max": raffle.max_per_order,
        },
        Button(f"qty:{raffle.id}", _("Random numbers")),
        b_back(),
    )


def ask_quantity(raffle: RaffleView, text: str = "") -> Replies:
    rows = quantity_rows(raffle)
    body = text or _("How many random numbers do you want? Pick one or type a number.")
    if not rows:
        return raffle_details(raffle)
    return (List(body, _("How many?"), (Section(raffle.title[:24], tuple(rows)),)),)


def which_raffle(raffles: Sequence[RaffleView], total: int) -> Replies:
    listing = raffle_list(raffles, 1, total)
    return (
        List(
            _("Which raffle is that for? Pick it from the list."),
            listing.button,
            listing.sections,
        ),
    )


def not_selling(raffle: RaffleView | None, raffles: Sequence[RaffleView], total: int) -> Replies:
    if raffle is None:
        text = _("That raffle does not exist any more.")
    elif raffle.selling and raffle.left == 0:
        text = _("“%(title)s” is sold out. 😔") % {"title": raffle.title}
    else:
        text = _("“%(title)s” is not selling numbers any more.") % {"title": raffle.title}
    if total:
        return lead(text, (raffle_list(raffles, 1, total),))
    return lead(text, no_raffles())


# --- Choosing numbers: problems ---------------------------------------------------------------


def clarify_quantity(raffle: RaffleView, value: int) -> Replies:
    return buttons(
        _("Do you want %(n)d random numbers, or the number %(number)s?")
        % {"n": value, "number": raffle.fmt(value)},
        Button(f"random:{raffle.id}:{value}", _("%(n)d random") % {"n": value})
        if 1 <= value <= raffle.max_per_order
        else None,
        _take_button(raffle, [value], _("Number %(number)s") % {"number": raffle.fmt(value)})
        if raffle.min_number <= value <= raffle.max_number
        else None,
        b_back(),
    )


def _take_button(raffle: RaffleView, numbers: Sequence[int], title: str) -> Button | None:
    button_id = take_id(raffle.id, numbers)
    return Button(button_id, title) if button_id else None


def duplicate_numbers(
    raffle: RaffleView, numbers: Sequence[int], repeated: Sequence[int]
) -> Replies:
    unique = sorted(set(numbers))
    return buttons(
        _("You sent %(numbers)s more than once. Each number can be in an order only once.")
        % {"numbers": fmt_numbers(raffle, repeated)}
        + "\n"
        + _("Reserve %(numbers)s?") % {"numbers": fmt_numbers(raffle, unique)},
        _take_button(raffle, unique, _("Yes, reserve")),
        Button(f"pick:{raffle.id}", _("Choose again")),
        b_menu(),
    )


def out_of_range(raffle: RaffleView, bad: Sequence[int]) -> Replies:
    return buttons(
        ngettext(
            "%(numbers)s is not a number of this raffle: numbers go from %(first)s to %(last)s.",
            "%(numbers)s are not numbers of this raffle: numbers go from %(first)s to %(last)s.",
            len(bad),
        )
        % {
            "numbers": number_list([str(n) for n in bad]),
            "first": raffle.fmt(raffle.min_number),
            "last": raffle.fmt(raffle.max_number),
        }
        + " "
        + _("Send your numbers again."),
        Button(f"qty:{raffle.id}", _("Random numbers")),
        b_menu(),
    )


def too_many(raffle: RaffleView | None, count: int) -> Replies:
    limit = raffle.max_per_order if raffle else None
    text = (
        _("That is %(count)d numbers; one order takes up to %(max)d.")
        % {"count": count, "max": limit}
        if limit
        else _("That is too many numbers for one order.")
    )
    return buttons(text + " " + _("Send fewer numbers."), b_back(), b_menu())


def too_few() -> Replies:
    return buttons(_("Ask for at least one number."), b_back(), b_menu())


def only_left(raffle: RaffleView, wanted: int, left: int | None = None) -> Replies:
    left = raffle.left if left is None else left
    return buttons(
        _("You asked for %(wanted)d numbers, but only %(left)d are left.")
        % {"wanted": wanted, "left": left},
        Button(f"random:{raffle.id}:{left}", _("Take the %(n)d left") % {"n": left})
        if 0 < left <= raffle.max_per_order
        else None,
        b_raffles(),
        b_menu(),
    )


def numbers_taken(
    raffle: RaffleView | None,
    raffle_id: int,
    taken: Sequence[int],
    rest: Sequence[int],
    alternatives: Sequence[int],
) -> Replies:
    def f(numbers: Sequence[int]) -> str:
        return fmt_numbers(raffle, numbers)

    lines = [
        ngettext(
            "Sorry, %(numbers)s was just taken by someone else.",
            "Sorry, %(numbers)s were just taken by someone else.",
            len(taken),
        )
        % {"numbers": f(taken)},
        _("Nothing was reserved."),
    ]
    swap = sorted({*rest, *alternatives[: len(taken)]})
    if alternatives:
        lines.append(_("Free numbers close to them: %(numbers)s.") % {"numbers": f(alternatives)})
    choices: list[Button | None] = []
    if rest:
        lines.append(_("Tap *Take the others* to reserve %(numbers)s.") % {"numbers": f(rest)})
        choices.append(_take_button_id(raffle_id, rest, _("Take the others")))
    if alternatives and swap != sorted(rest):
        lines.append(_("Tap *Use nearby* to reserve %(numbers)s.") % {"numbers": f(swap)})
        choices.append(_take_button_id(raffle_id, swap, _("Use nearby")))
    if not alternatives and not rest:
        lines.append(_("Send other numbers, or ask for random ones."))
    choices.append(Button(f"pick:{raffle_id}", _("Choose again")))
    return buttons("\n".join(lines), *choices)


def _take_button_id(raffle_id: int, numbers: Sequence[int], title: str) -> Button | None:
    button_id = take_id(raffle_id, numbers)
    return Button(button_id, title) if button_id else None


def buyer_limit(limit: int, already: int, remaining: int) -> Replies:
    text = _(
        "Each buyer can have up to %(limit)d numbers of this raffle; you already have %(already)d."
    ) % {
        "limit": limit,
        "already": already,
    }
    if remaining:
        text += " " + _("You can still get %(n)d.") % {"n": remaining}
    return buttons(text, b_tickets(), b_menu())


def reserve_failed() -> Replies:
    return buttons(
        _("Sorry, I could not reserve those numbers. Please try again."), b_raffles(), b_agent()
    )


# --- Reserved, payment, proof -----------------------------------------------------------------


def order_summary(order: OrderView) -> str:
    return "\n".join(
        [
            _("Raffle: %(title)s") % {"title": order.raffle_title},
            ngettext("Number: %(numbers)s", "Numbers: %(numbers)s", len(order.numbers))
            % {"numbers": number_list(order.numbers)},
            _("Total: *%(total)s*") % {"total": money(order.total, order.currency)},
        ]
    )


def hold_line(order: OrderView, now: datetime) -> str:
    if order.expires_at is None:
        return ""
    return _("They are yours until %(time)s (%(minutes)d min).") % {
        "time": clock(order.expires_at),
        "minutes": minutes_left(order.expires_at, now),
    }


def reserved(order: OrderView, now: datetime, *, replaced: str = "") -> Replies:
    lines = [
        _("✅ Reserved for you! Order *%(code)s*") % {"code": order.code},
        order_summary(order),
    ]
    hold = hold_line(order, now)
    if hold:
        lines.append(hold)
    if replaced:
        lines.append(_("Your previous hold %(code)s was released.") % {"code": replaced})
    lines.append(_("Tap *Confirm* to get the payment details, or *Cancel* to release them."))
    return buttons(
        "\n".join(lines),
        Button(f"confirm:{order.code}", _("Confirm")),
        Button(f"cancel:{order.code}", _("Cancel")),
    )


def payment(order: OrderView, now: datetime) -> Replies:
    lines = [
        _("Order *%(code)s*") % {"code": order.code},
        order_summary(order),
        "",
        _("How to pay:"),
        order.payment_instructions.strip() or _("Ask us how to pay: tap *Talk to a person*."),
        "",
        _("Use *%(code)s* as the payment reference.") % {"code": order.code},
        _("Then send a photo or a PDF of your receipt here."),
    ]
    if order.expires_at and not order.proof_received:
        lines.append(
            _("Please pay before %(time)s, or the numbers are released.")
            % {"time": clock(order.expires_at)}
        )
    return buttons(
        "\n".join(lines), Button(f"cancel:{order.code}", _("Cancel order")), b_agent(), b_help()
    )


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
    if order.status == "PAID":
        return lead(
            _("Order *%(code)s* is already paid. ✅") % {"code": order.code}, receipt(order)
        )
    if order.status == "CANCELLED":
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


# --- Tickets, help, agent, results, language --------------------------------------------------


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


def help_text(state: str) -> Replies:
    step = {
        "browsing": _("Pick a raffle from the list."),
        "raffle": _("Send the numbers you want, like *5, 12* or *10-15*, or *random 3*."),
        "confirm": _(
            "Tap *Confirm* to get the payment details, or *Cancel* to release the numbers."
        ),
        "payment": _("Pay, then send a photo or a PDF of the receipt here."),
        "review": _("We are checking your payment; we'll message you here."),
    }.get(state, _("Tap *Raffles* to buy numbers."))
    commands = _(
        "You can type at any time:\n"
        "*menu* — main menu\n"
        "*raffles* — raffles on sale\n"
        "*my tickets* — your numbers and orders\n"
        "*back* — previous step\n"
        "*cancel* — cancel the order in progress\n"
        "*pay* — how to pay\n"
        "*results* — draw results\n"
        "*agent* — talk to a person"
    )
    return buttons(
        f"{step}\n\n{commands}\n\n{other_language_hint()}", b_raffles(), b_tickets(), b_agent()
    )


def agent() -> Replies:
    return (
        TextReply(
            _(
                "OK! A person from our team will answer you here as soon as possible. "
                "Until then I'll stay quiet."
            )
        ),
    )


def results(items: Sequence[ResultView], upcoming: Sequence[RaffleView]) -> Replies:
    if not items:
        lines = [_("No results yet.")]
        dated = [r for r in upcoming if r.draw_at]
        if dated:
            lines.append(_("Next draws:"))
            lines.extend(f"{r.title}: {when(r.draw_at)}" for r in dated if r.draw_at)
        return buttons("\n".join(lines), b_raffles(), b_menu())
    lines = [_("🏆 *Results*")]
    for item in items:
        lines.append("")
        line = f"*{item.raffle_title}*"
        if item.drawn_at:
            line += f" ({when(item.drawn_at)})"
        lines.append(line)
        if item.winners:
            lines.append(_("Winning numbers: %(numbers)s") % {"numbers": ", ".join(item.winners)})
        else:
            lines.append(_("drawn, results coming soon"))
        if item.mine:
            lines.append(
                _("🎉 You won with %(numbers)s! We will contact you.")
                % {"numbers": ", ".join(item.mine)}
            )
        if item.url:
            lines.append(_("Check the draw: %(url)s") % {"url": item.url})
    return buttons("\n".join(lines), b_raffles(), b_tickets(), b_menu())


def language_set() -> Replies:
    return menu_buttons(_("OK, I'll write in English from now on."))


# --- Prompts and fallbacks --------------------------------------------------------------------


def unknown(text: str) -> str:
    return _("Sorry, I didn't understand “%(text)s”.") % {"text": snippet(text)}


def blank(text: str) -> str:
    return "😊" if text.strip() else _("I got an empty message.")


def too_long() -> str:
    return _(
        "That is a long message! I am a bot and only understand short answers. "
        "To talk to a person, type *agent*."
    )


def stale_button() -> str:
    return _("That button is from an old message and doesn't work any more.")


def other_kind(kind: str) -> str:
    texts = {
        "audio": _("🎧 I can't listen to audio messages. Please type instead."),
        "voice": _("🎧 I can't listen to audio messages. Please type instead."),
        "video": _("🎬 I can't use videos. To send a payment receipt, send a photo or a PDF."),
        "sticker": _("😄 Nice sticker!"),
        "reaction": _("👍 Thanks!"),
        "location": _("📍 Thanks, but I don't need a location."),
        "contacts": _("👤 I can't use shared contacts."),
    }
    return texts.get(kind, _("I can't read this kind of message."))


def nothing_to_confirm() -> str:
    return _("There is nothing to confirm right now.")


# --- Notifications (sent by messaging.bot.notifications) ----------------------------------------


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


def notify_receipt(order: OrderView) -> str:
    return receipt(order)[0].body


def notify_reserved(order: OrderView, now: datetime) -> str:
    lines = [_("✅ Numbers reserved for you. Order *%(code)s*") % {"code": order.code}]
    lines.append(order_summary(order))
    hold = hold_line(order, now)
    if hold:
        lines.append(hold)
    lines.append(_("Type *pay* to see how to pay."))
    return "\n".join(lines)


def notify_reminder(order: OrderView, now: datetime) -> str:
    return "\n".join(
        [
            _("⏰ Reminder: order *%(code)s* (%(numbers)s) is held for you until %(time)s.")
            % {
                "code": order.code,
                "numbers": number_list(order.numbers),
                "time": clock(order.expires_at) if order.expires_at else "-",
            },
            _(
                "Pay %(total)s and send a photo or a PDF of the receipt here, or the numbers "
                "will be released."
            )
            % {"total": money(order.total, order.currency)},
            _("Type *pay* to see how to pay."),
        ]
    )


def notify_expired(order: OrderView) -> str:
    return _(
        "⌛ Your hold on %(numbers)s (order %(code)s, %(title)s) expired and the numbers were "
        "released. Type *raffles* to reserve again."
    ) % {"numbers": number_list(order.numbers), "code": order.code, "title": order.raffle_title}


def notify_proof_received(order: OrderView) -> str:
    return proof_received(order)[0].body


def notify_rejected(order: OrderView, reason: str, now: datetime) -> str:
    lines = [
        _("❌ We could not confirm your payment for order *%(code)s*.") % {"code": order.code},
        _("Reason: %(reason)s") % {"reason": reason},
    ]
    if order.is_live:
        lines.append(_("Please send a new photo or PDF of the receipt here."))
        if order.expires_at:
            lines.append(
                _("Your numbers are held until %(time)s.") % {"time": clock(order.expires_at)}
            )
    else:
        lines.append(_("Type *agent* to talk to a person."))
    return "\n".join(lines)


def notify_cancelled(order: OrderView) -> str:
    return _(
        "Order *%(code)s* (%(title)s: %(numbers)s) was cancelled by our team and the numbers "
        "were released. Type *agent* if you have questions."
    ) % {"code": order.code, "title": order.raffle_title, "numbers": number_list(order.numbers)}


def notify_drawn(
    title: str, winners: Sequence[str], url: str = "", mine: Sequence[str] = ()
) -> str:
    text = _notify_drawn(title, winners)
    if mine:
        text += "\n" + _("🎉 You won with %(numbers)s! We will contact you.") % {
            "numbers": ", ".join(mine)
        }
    if url:
        text += "\n" + _("Check the draw: %(url)s") % {"url": url}
    return text


def _notify_drawn(title: str, winners: Sequence[str]) -> str:
    if winners:
        return _(
            "🏆 “%(title)s” was drawn! Winning numbers: %(numbers)s. Type *results* for details."
        ) % {
            "title": title,
            "numbers": ", ".join(winners),
        }
    return _("🏆 “%(title)s” was drawn! Type *results* to see the results.") % {"title": title}
