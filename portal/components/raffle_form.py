"""Create or edit a raffle. Fields are parsed here (whole numbers, dates); the raffle's rules
(`raffles.raffle_fields`, the ones `create_raffle` / `update_raffle` enforce) are checked on
the same submit, so every error shows at once, each next to its field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from portal.components.base import StaffComponent, redirect_to, requires
from portal.fields import LocalizedIntegerField, LocalizedMoneyField
from portal.numbers import format_decimal, format_integer
from portal.roles import Perm
from raffles import services
from raffles.models import Raffle
from raffles.raffle_fields import EDITABLE_FIELDS, check_raffle_fields
from raffles.selectors import raffles_titled

INT_FIELDS = ("min_number", "max_number", "reservation_minutes", "max_tickets_per_order")
DATE_FIELDS = ("sales_close_at", "draw_at")
TEXT_FIELDS = (
    "title",
    "description",
    "prize",
    "currency",
    "payment_instructions",
    "slug",
    "rules",
)
DATE_INPUT = "%Y-%m-%dT%H:%M"
FORM_ORDER = (
    "title",
    "prize",
    "description",
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
)


def _local_input(value: datetime | None) -> str:
    return timezone.localtime(value).strftime(DATE_INPUT) if value else ""


def _clean(field: forms.Field, raw: object) -> Any:
    """The field's value, or its translated message as a `str` error."""
    try:
        return field.clean(str(raw or "").strip())
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None


class RaffleFormView(StaffComponent):
    _permission = Perm.MANAGE_RAFFLES
    raffle_id: int = 0
    title: str = ""
    description: str = ""
    prize: str = ""
    ticket_price: str = ""
    currency: str = "USD"
    min_number: str = "0"
    max_number: str = "99"
    reservation_minutes: str = "30"
    max_tickets_per_order: str = "10"
    max_tickets_per_buyer: str = ""
    sales_close_at: str = ""
    draw_at: str = ""
    payment_instructions: str = ""
    slug: str = ""
    rules: str = ""

    def mount(self) -> None:
        self.raffle_id = int(self.raffle_id or 0)
        if self.raffle_id:
            raffle = Raffle.objects.get(pk=self.raffle_id)
            for name in TEXT_FIELDS:
                setattr(self, name, getattr(raffle, name) or "")
            for name in INT_FIELDS:
                setattr(self, name, format_integer(getattr(raffle, name), grouping=False))
            self.ticket_price = format_decimal(raffle.ticket_price, grouping=False)
            self.max_tickets_per_buyer = (
                ""
                if raffle.max_tickets_per_buyer is None
                else format_integer(raffle.max_tickets_per_buyer, grouping=False)
            )
            self.sales_close_at = _local_input(raffle.sales_close_at)
            self.draw_at = _local_input(raffle.draw_at)

    def _parse(self) -> dict[str, Any] | None:
        errors: dict[str, str] = {}
        data: dict[str, Any] = {name: getattr(self, name) for name in TEXT_FIELDS}
        price = LocalizedMoneyField(
            error_messages={"required": _("Enter the price of one ticket.")}
        )
        count = LocalizedIntegerField(error_messages={"required": _("Enter a whole number.")})
        for name, field in [
            ("ticket_price", price),
            *[(name, count) for name in INT_FIELDS],
            ("max_tickets_per_buyer", LocalizedIntegerField(required=False)),
        ]:
            try:
                data[name] = _clean(field, getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        for name in DATE_FIELDS:
            raw = str(getattr(self, name) or "").strip()
            if not raw:
                data[name] = None
                continue
            try:
                parsed = datetime.fromisoformat(raw)
            except ValueError:
                errors[name] = _("Enter a date and time.")
                continue
            data[name] = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        errors = self._with_rule_errors(data, errors)
        if errors:
            self.field_errors = errors
            self.error = _("Check the highlighted fields.")
            return None
        return data

    def _with_rule_errors(self, data: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
        """The raffle's own rules (`raffles.raffle_fields`) on the fields that could be read,
        so every error shows on the first submit, in the form's order."""
        raffle = Raffle.objects.filter(pk=self.raffle_id).first() if self.raffle_id else None
        readable = {k: v for k, v in data.items() if k not in errors and k in EDITABLE_FIELDS}
        if raffle is None:
            for name in ("title", "ticket_price", "max_number"):
                readable.setdefault(name, None)  # a new raffle needs them: reported if absent
        rules = check_raffle_fields(readable, raffle=raffle).errors
        merged = {**rules, **errors}
        return {name: merged[name] for name in FORM_ORDER if name in merged}

    @requires(Perm.MANAGE_RAFFLES)
    def save(self) -> Any:
        data = self._parse()
        if data is None:
            return None
        if self.raffle_id:
            raffle = Raffle.objects.get(pk=self.raffle_id)
            if raffle.generation_status != Raffle.Generation.NONE:
                # The range is fixed once numbers exist; send it only if it changed.
                for name in ("min_number", "max_number"):
                    if data[name] == getattr(raffle, name):
                        data.pop(name)
            raffle = services.update_raffle(raffle=raffle, by=self.request.user, **data)
        else:
            raffle = services.create_raffle(by=self.request.user, **data)
        return redirect_to(reverse("portal:raffle", args=[raffle.pk]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raffle = Raffle.objects.filter(pk=self.raffle_id).first() if self.raffle_id else None
        context["raffle"] = raffle
        context["range_locked"] = bool(raffle and raffle.range_is_locked)
        context["zone_help"] = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }
        context["range_locked_help"] = (
            _("Fixed once numbers are generated.") if context["range_locked"] else ""
        )
        context["read_only"] = bool(raffle and not raffle.is_editable)
        context["title_warning"] = self._title_warning()
        return context

    def _title_warning(self) -> SafeString | str:
        """Other raffles with this title: a warning (linked), never a refusal."""
        same = raffles_titled(self.title, exclude_id=self.raffle_id or None)[:3]
        if not same:
            return ""
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("portal:raffle", args=[r.pk]), r.title) for r in same),
        )
        return format_html(
            '<span data-testid="title-warning">{}</span> {}',
            _("Another raffle already has this title; buyers may confuse them:"),
            links,
        )
