"""Form fields that read money and counts in the staff member's language (`portal.numbers`).

Used by plain Django forms and, through `clean()`, by the unicorn components that take
money or counts (`clean()` raises `ValidationError` with a translated message)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portal.numbers import (
    NumberInputError,
    format_decimal,
    format_integer,
    parse_decimal,
    parse_integer,
)


class _LocalizedInput(forms.TextInput):
    """A text box with the right on-screen keyboard on phones (the browser's number input
    would refuse "1,50" on an English phone and accept "1e3")."""

    def __init__(self, inputmode: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": inputmode, "autocomplete": "off", **(attrs or {})})


class LocalizedMoneyField(forms.Field):
    """An amount with two decimals: "1,50" (es, pt-br) or "1.50" (en)."""

    def __init__(self, *, places: int = 2, **kwargs: Any) -> None:
        self.places = places
        kwargs.setdefault("widget", _LocalizedInput("decimal"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or not str(value).strip():
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(str(value), places=self.places)
        except NumberInputError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_decimal(value, places=self.places, grouping=False)
        return value


class LocalizedIntegerField(forms.Field):
    """A whole number: "1500", "1.500" (es, pt-br) or "1,500" (en)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _LocalizedInput("numeric"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values or not str(value).strip():
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return parse_integer(str(value))
        except NumberInputError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_integer(value, grouping=False)
        return value
