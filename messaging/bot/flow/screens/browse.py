"""Browsing: the main menu, the raffle list and a raffle's details, how to choose, results."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.bot.flow.replies import (
    BODY_MAX,
    MAX_ROWS,
    Button,
    List,
    Row,
    Section,
)
from messaging.bot.flow.replies import Text as TextReply
from messaging.bot.flow.screens.common import (
    PAGE_SIZE,
    QUICK_QUANTITIES,
    Replies,
    b_back,
    b_help,
    b_menu,
    b_raffles,
    b_tickets,
    buttons,
    lead,
    menu_buttons,
    money,
    other_language_hint,
    snippet,
    when,
)
from messaging.bot.flow.screens.coupons import price_lines, short_price
from messaging.bot.flow.screens.draw_rules import fair_draw_line, has_draw_rule
from messaging.bot.flow.screens.numbers import _take_button
from messaging.bot.flow.snapshots import OrderView, RaffleView, ResultView

MAX_BUNDLE_ROWS = 4
DESCRIPTION_MAX = 300  # the raffle's description, cut to keep the details one message


def main_menu(
    name: str,
    raffles: Sequence[RaffleView],
    total: int,
    live: Sequence[OrderView],
    *,
    welcome: bool = True,
) -> Replies:
    lines = [welcome_line(name)] if welcome else [_("Main menu.")]
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
    if not total:
        return menu_buttons("\n".join(lines))
    # The list that follows opens with its own *Raffles* control: no second one here.
    return (*buttons("\n".join(lines), b_tickets(), b_help()), raffle_list(raffles, 1, total))


def welcome_line(name: str) -> str:
    first = name.split()[0] if name.strip() else ""
    hello = _("Hi %(name)s! 👋") % {"name": first} if first else _("Hi! 👋")
    return hello + " " + _("Welcome to our raffles. 🎟️")


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
    if raffle.description.strip():
        lines.append(snippet(raffle.description, DESCRIPTION_MAX))
    if raffle.prize:
        lines.append(_("🎁 Prize: %(prize)s") % {"prize": raffle.prize})
    lines.append(
        _("💵 Price: %(price)s per number") % {"price": money(raffle.price, raffle.currency)}
    )
    lines += price_lines(raffle, timezone.now())
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
    if has_draw_rule(raffle):
        lines.append(fair_draw_line(raffle))
    return "\n".join(lines)


def how_to_choose(raffle: RaffleView) -> str:
    return _(
        "Send the numbers you want (for example *5, 12* or *10-15*), or *random 3* for three "
        "numbers picked at random. Up to %(max)d numbers per order."
    ) % {"max": raffle.max_per_order}


def quantity_rows(raffle: RaffleView) -> list[Row]:
    """Rows that reserve random numbers: each bundle first ("3 random for 25"), then the
    usual quantities, each with its price (`RaffleView.quote`)."""
    top = min(raffle.max_per_order, raffle.left)
    now = timezone.now()
    bundles = [t for t in raffle.tiers if t.quantity <= top][:MAX_BUNDLE_ROWS]
    rows = [
        Row(
            f"random:{raffle.id}:{t.quantity}",
            _("%(n)d random for %(price)s") % {"n": t.quantity, "price": short_price(t.price)},
            _("Bundle: %(price)s") % {"price": money(t.price, raffle.currency)},
        )
        for t in bundles
    ]
    sizes = {t.quantity for t in bundles}
    quantities = [q for q in QUICK_QUANTITIES if q <= top and q not in sizes]
    if (
        top
        and top not in quantities
        and top not in sizes
        and len(quantities) < len(QUICK_QUANTITIES)
    ):
        quantities.append(top)
    rows += [
        Row(
            f"random:{raffle.id}:{q}",
            ngettext("%(n)d random number", "%(n)d random numbers", q) % {"n": q},
            money(raffle.quote(q, now).total, raffle.currency),
        )
        for q in quantities
    ]
    return rows[: MAX_ROWS - 1]  # a list also has the "I'll type my numbers" row


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
