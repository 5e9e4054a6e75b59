"""The rules on a raffle's fields, each written once, all checked in one pass.

`check_raffle_fields` answers every error at once, one message per field, so a form shows
them all on the first submit and the API answers them together (`field_errors`). First the
fields alone (a title, a price, whole numbers, dates with a zone), then the rules across
fields, on the raffle as it would be (stored values with the changes applied), each only
when its fields are valid alone and, when editing, one of them changed:

- the last number is not below the first; at most MAX_RANGE_SIZE numbers;
- the per-order limit is not above the raffle's numbers;
- the per-buyer limit, when set, is not below the per-order limit;
- sales close and the draw are not in the past (for a new raffle, or when changed: a date
  that went by is kept when other fields are edited); the draw is not before sales close.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from raffles.models import Raffle

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "prize",
        "ticket_price",
        "currency",
        "min_number",
        "max_number",
        "reservation_minutes",
        "max_tickets_per_order",
        "max_tickets_per_buyer",
        "sales_close_at",
        "draw_at",
        "payment_instructions",
        "claim_days",
        "slug",
        "rules",
    }
)
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")
# "#s-ana" in a buyer's message is a seller's code (#S-ANA), never a raffle's short name.
SELLER_PREFIX = "s-"
WHOLE_NUMBERS = ("min_number", "max_number", "reservation_minutes", "max_tickets_per_order")
DATES = ("sales_close_at", "draw_at")
MAX_RESERVATION_MINUTES = 7 * 24 * 60
PRICE_LIMIT = Decimal("1e10")
DEFAULTS: dict[str, Any] = {
    "min_number": 0,
    "max_tickets_per_order": 10,
    "max_tickets_per_buyer": None,
    "sales_close_at": None,
    "draw_at": None,
}  # a new raffle's values for fields not given (the model's defaults)


@dataclass
class RaffleFieldCheck:
    values: dict[str, Any]  # normalised (a price as Decimal cents, a currency upper-case)
    errors: dict[str, str]  # one message per field, in the order of the form
    # A rule across fields: the field with the error -> the fields it does not go with
    # ("now" for a date that must not be in the past).
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def check_raffle_fields(
    fields: dict[str, Any], *, raffle: Raffle | None = None, now: datetime | None = None
) -> RaffleFieldCheck:
    """Every error of these fields at once. `raffle`: the stored raffle when editing (None:
    a new one). Unknown fields are a programming error: ValueError."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown raffle fields: {', '.join(sorted(unknown))}")
    clean, errors = _alone(fields)
    check = RaffleFieldCheck(clean, errors)
    _across(check, raffle=raffle, now=now or timezone.now())
    return check


def label(name: str) -> str:
    """A raffle field as people read it: its verbose name, translated and capitalised."""
    from raffles.models import Raffle

    field = Raffle._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))


def _alone(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    out = dict(fields)
    errors: dict[str, str] = {}
    if "title" in out:
        out["title"] = str(out["title"] or "").strip()
        if not out["title"] or len(out["title"]) > 200:
            errors["title"] = _("The title must have 1 to 200 characters")
    if "ticket_price" in out:
        message = _price_error(out)
        if message:
            errors["ticket_price"] = message
    if "currency" in out:
        out["currency"] = str(out["currency"] or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", out["currency"]):
            errors["currency"] = _("The currency must be a 3-letter ISO 4217 code")
    for name in WHOLE_NUMBERS:
        if name in out:
            value = out[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[name] = _("%(field)s must be a whole number ≥ 0") % {"field": label(name)}
            elif value > 2_000_000_000:
                errors[name] = _("%(field)s is too large") % {"field": label(name)}
            elif name in ("reservation_minutes", "max_tickets_per_order") and value < 1:
                errors[name] = _("%(field)s must be at least 1") % {"field": label(name)}
    if out.get("reservation_minutes", 0) > MAX_RESERVATION_MINUTES and not errors.get(
        "reservation_minutes"
    ):
        errors["reservation_minutes"] = _("Reservations can last at most 7 days")
    if out.get("max_tickets_per_buyer") is not None:
        value = out["max_tickets_per_buyer"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors["max_tickets_per_buyer"] = _(
                "%(field)s must be a whole number ≥ 1, or empty"
            ) % {"field": label("max_tickets_per_buyer")}
    claim_days = out.get("claim_days")
    if claim_days is not None and (
        isinstance(claim_days, bool)
        or not isinstance(claim_days, int)
        or not 1 <= claim_days <= 3650
    ):
        errors["claim_days"] = _("%(field)s must be from 1 to 3650, or empty") % {
            "field": label("claim_days")
        }
    for name in DATES:
        value = out.get(name)
        if value is not None and (not isinstance(value, datetime) or timezone.is_naive(value)):
            errors[name] = _("%(field)s must be a date and time with a time zone") % {
                "field": label(name)
            }
    for name in ("description", "prize", "payment_instructions", "rules"):
        if name in out:
            out[name] = str(out[name] or "")
    if "slug" in out:
        out["slug"] = str(out["slug"] or "").strip().lower() or None
        if out["slug"] is not None and not SLUG.fullmatch(out["slug"]):
            errors["slug"] = _(
                "The short link name may hold only letters a-z, digits and dashes"
                " (up to 50, not starting or ending with a dash)"
            )
        elif out["slug"] is not None and out["slug"].startswith(SELLER_PREFIX):
            errors["slug"] = _(
                "A short link name cannot start with “s-”: that is how sellers' codes start"
            )
    return out, errors


def _price_error(out: dict[str, Any]) -> str:
    try:
        price = Decimal(str(out["ticket_price"]))
    except (InvalidOperation, ValueError):
        return _("The ticket price must be a number")
    # Also after rounding to cents: 9999999999.999 rounds to 10,000,000,000.00.
    if (
        not price.is_finite()
        or price < 0
        or price >= PRICE_LIMIT
        or price.quantize(Decimal("0.01")) >= PRICE_LIMIT
    ):
        return _("The ticket price must be between 0 and 9,999,999,999.99")
    out["ticket_price"] = price.quantize(Decimal("0.01"))
    return ""


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _across(check: RaffleFieldCheck, *, raffle: Raffle | None, now: datetime) -> None:
    """The rules across fields, on the raffle as it would be."""
    out, errors, conflicts = check.values, check.errors, check.conflicts

    def value(name: str) -> Any:
        if name in out:
            return out[name]
        return getattr(raffle, name) if raffle is not None else DEFAULTS.get(name)

    def applies(*names: str) -> bool:
        """Every field valid alone and known; when editing, one of them changed."""
        if any(name in errors for name in names):
            return False
        if any(value(name) is None and name in ("min_number", "max_number") for name in names):
            return False
        if raffle is None:
            return True
        return any(name in out and out[name] != getattr(raffle, name) for name in names)

    if applies("min_number", "max_number"):
        message = _range_error(value("min_number"), value("max_number"))
        if message:
            errors["max_number"] = message
            conflicts["max_number"] = ["min_number"]
    if "max_number" not in errors and applies("min_number", "max_number", "max_tickets_per_order"):
        size = value("max_number") - value("min_number") + 1
        if value("max_tickets_per_order") > size:
            errors["max_tickets_per_order"] = _(
                "At most the raffle's %(size)s numbers per order"
            ) % {"size": f"{size:,}"}
            conflicts["max_tickets_per_order"] = ["min_number", "max_number"]
    per_buyer = value("max_tickets_per_buyer")
    if (
        per_buyer is not None
        and "max_tickets_per_order" not in errors
        and applies("max_tickets_per_order", "max_tickets_per_buyer")
        and per_buyer < value("max_tickets_per_order")
    ):
        errors["max_tickets_per_buyer"] = _(
            "A buyer must be able to buy at least as many as per order (%(count)s)"
        ) % {"count": value("max_tickets_per_order")}
        conflicts["max_tickets_per_buyer"] = ["max_tickets_per_order"]
    for name, message in (
        ("sales_close_at", _("Sales cannot close in the past")),
        ("draw_at", _("The draw date is in the past")),
    ):
        when = out.get(name)
        changed = raffle is None or not _same_minute(when, getattr(raffle, name))
        if name not in errors and when is not None and changed and when < now:
            errors[name] = message
            conflicts[name] = ["now"]  # valid alone; the clock makes it wrong
    close, draw = value("sales_close_at"), value("draw_at")
    if (
        "draw_at" not in errors
        and close is not None
        and draw is not None
        and applies("sales_close_at", "draw_at")
        and draw < close
    ):
        errors["draw_at"] = _("The draw date must be after sales close")
        conflicts["draw_at"] = ["sales_close_at"]


def _range_error(first: int, last: int) -> str:
    from raffles.models import MAX_RANGE_SIZE

    if last < first:
        return _("The last number must not be smaller than the first")
    size = last - first + 1
    if size > MAX_RANGE_SIZE:
        return _("A raffle has at most %(limit)s numbers; this range has %(size)s") % {
            "limit": f"{MAX_RANGE_SIZE:,}",
            "size": f"{size:,}",
        }
    return ""
