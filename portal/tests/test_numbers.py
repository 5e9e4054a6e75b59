"""The parser of money and counts (portal.numbers): a table of typed texts per language, and
round-trips of whatever the portal writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from portal.fields import LocalizedIntegerField, LocalizedMoneyField
from portal.numbers import (
    NumberInputError,
    format_decimal,
    format_integer,
    parse_decimal,
    parse_integer,
)

LANGUAGES = ["en", "es", "pt-br"]

MONEY = [
    # language, typed, amount (None: refused)
    ("es", "1,50", Decimal("1.50")),
    ("es", "1.500,00", Decimal("1500.00")),
    ("es", "1500", Decimal("1500.00")),
    ("es", "1.999", Decimal("1999.00")),
    ("es", "12.345.678,9", Decimal("12345678.90")),
    ("es", " 0,5 ", Decimal("0.50")),
    ("pt-br", "1.500,00", Decimal("1500.00")),
    ("pt-br", "2,75", Decimal("2.75")),
    ("en", "1,500.00", Decimal("1500.00")),
    ("en", "1.50", Decimal("1.50")),
    ("en", "1,999", Decimal("1999.00")),
    ("en", "7", Decimal("7.00")),
    ("es", "1.50", None),  # decimals in the English way
    ("es", "1,999", None),  # three decimals
    ("es", "1.5000", None),  # not grouped in threes
    ("es", "1,5,0", None),
    ("es", ",5", None),
    ("es", "5,", None),
    ("es", "1.500.0", None),
    ("es", "1 500", None),
    ("en", "1,50", None),  # decimals in the Spanish way
    ("en", "1.999", None),  # three decimals: never rounded
    ("en", "1e3", None),
    ("en", "$5", None),
    ("en", "-5", None),
    ("en", "+5", None),
    ("en", "", None),
    ("en", "1,5", None),
    ("en", "12,34,567", None),
    ("en", "١٢", None),  # other scripts' digits
    ("en", "NaN", None),
    ("en", "Infinity", None),
]


@pytest.mark.parametrize(("language", "typed", "amount"), MONEY)
def test_money_table(language: str, typed: str, amount: Decimal | None) -> None:
    if amount is None:
        with pytest.raises(NumberInputError):
            parse_decimal(typed, language=language)
    else:
        assert parse_decimal(typed, language=language) == amount


COUNTS = [
    ("es", "1.000", 1000),
    ("es", "25", 25),
    ("pt-br", "1.000.000", 1000000),
    ("en", "1,000", 1000),
    ("en", "1000", 1000),
    ("es", "1,000", None),
    ("es", "1,5", None),
    ("en", "1.5", None),
    ("en", "1.000", None),
    ("en", "ten", None),
    ("en", "1e3", None),
]


@pytest.mark.parametrize(("language", "typed", "count"), COUNTS)
def test_count_table(language: str, typed: str, count: int | None) -> None:
    if count is None:
        with pytest.raises(NumberInputError):
            parse_integer(typed, language=language)
    else:
        assert parse_integer(typed, language=language) == count


def test_refusals_are_translated_and_show_the_local_format() -> None:
    with translation.override("es"), pytest.raises(NumberInputError) as caught:
        parse_decimal("1.50")
    assert "1.500,50" in caught.value.message
    assert "miles" in caught.value.message
    with translation.override("en"), pytest.raises(NumberInputError) as caught:
        parse_decimal("1.999")
    assert "at most 2 decimals" in caught.value.message


amounts = st.decimals(
    min_value=Decimal(0), max_value=Decimal("9999999999.99"), places=2, allow_nan=False
)


@given(amount=amounts, language=st.sampled_from(LANGUAGES), grouping=st.booleans())
def test_money_round_trip(amount: Decimal, language: str, grouping: bool) -> None:
    text = format_decimal(amount, language=language, grouping=grouping)
    assert parse_decimal(text, language=language) == amount


@given(count=st.integers(min_value=0, max_value=10**12), language=st.sampled_from(LANGUAGES))
def test_count_round_trip(count: int, language: str) -> None:
    for grouping in (True, False):
        text = format_integer(count, language=language, grouping=grouping)
        assert parse_integer(text, language=language) == count


@given(text=st.text(max_size=12), language=st.sampled_from(LANGUAGES))
def test_any_text_is_read_or_refused_never_crashes(text: str, language: str) -> None:
    try:
        amount = parse_decimal(text, language=language)
    except NumberInputError:
        return
    # Whatever is read back is written the same way by the language's own rules.
    assert parse_decimal(format_decimal(amount, language=language), language=language) == amount


@given(amount=amounts)
def test_an_amount_read_in_one_convention_is_never_a_different_amount_in_the_other(
    amount: Decimal,
) -> None:
    """Text written for Spanish either means the same in English or is refused there."""
    text = format_decimal(amount, language="es")
    try:
        other = parse_decimal(text, language="en")
    except NumberInputError:
        return
    assert other == amount


def test_form_fields_use_the_active_language() -> None:
    with translation.override("pt-br"):
        assert LocalizedMoneyField().clean("1.500,00") == Decimal("1500.00")
        assert LocalizedIntegerField().clean("2.000") == 2000
        assert LocalizedMoneyField().prepare_value(Decimal("1500")) == "1500,00"
        assert LocalizedMoneyField(required=False).clean("") is None
