"""The raffle form's public-page fields: the short link name and the rules text."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.tests.conftest import unicorn_call
from portal.tests.test_raffle_pages import VALID
from raffles.models import Raffle
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def test_the_form_sets_the_short_link_name_and_the_rules(staff_client: Client) -> None:
    data = {**VALID, "slug": "Spring-2030", "rules": "One prize per buyer."}
    result = unicorn_call(staff_client, "raffle-form", "save", data)
    assert "redirect" in result.json
    raffle = Raffle.objects.get(title=VALID["title"])
    assert (raffle.slug, raffle.rules) == ("spring-2030", "One prize per buyer.")


def test_a_short_link_name_in_use_is_shown_next_to_its_field(staff_client: Client) -> None:
    make_raffle(size=10, slug="spring")
    result = unicorn_call(staff_client, "raffle-form", "save", {**VALID, "slug": "spring"})
    assert "redirect" not in result.json
    assert "already uses" in (result.data.get("field_errors") or {})["slug"]


@pytest.mark.parametrize("slug", ["s-ana", "S-Ana"])
def test_a_short_link_name_cannot_look_like_a_sellers_code(staff_client: Client, slug: str) -> None:
    """ "#s-ana" in a buyer's message is a seller's code (#S-ANA), so no raffle may be "s-ana"."""
    result = unicorn_call(staff_client, "raffle-form", "save", {**VALID, "slug": slug})
    assert "redirect" not in result.json
    assert "sellers' codes" in (result.data.get("field_errors") or {})["slug"]
    assert not Raffle.objects.filter(title=VALID["title"]).exists()
