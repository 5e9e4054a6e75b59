"""Portal dates follow the staff member's language (Django's localized formats) and show
the zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from portal.templatetags.portal import when

MOMENT = datetime(2026, 12, 2, 20, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "full", "short"),
    [
        ("en", "Dec. 2, 2026, 2:05 p.m. CST", "12/02/2026 2:05 p.m. CST"),
        ("es", "2 de diciembre de 2026 a las 14:05 CST", "02/12/2026 14:05 CST"),
        ("pt-br", "2 de Dezembro de 2026 às 14:05 CST", "02/12/2026 14:05 CST"),
    ],
)
def test_dates_use_the_language_format_and_the_zone(language, full, short):
    with translation.override(language), timezone.override("America/Mexico_City"):
        assert when(MOMENT) == full
        assert when(MOMENT, "short") == short


def test_no_date_renders_empty():
    assert when(None) == ""
