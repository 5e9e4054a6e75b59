"""Staff are alerted to conversations waiting for a person: a count in the nav on every
page, kept fresh by a small polled component."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from messaging.models import Contact
from portal.tests.conftest import unicorn_call

pytestmark = pytest.mark.django_db


def test_the_nav_counts_conversations_waiting_for_a_person(staff_client: Client) -> None:
    Contact.objects.create(wa_id="5215500000001", profile_name="Calm")
    page = staff_client.get(reverse("portal:dashboard")).content.decode()
    assert 'class="badge attention"' not in page
    Contact.objects.create(wa_id="5215500000002", profile_name="Help", wants_agent=True)
    Contact.objects.create(wa_id="5215500000003", profile_name="Me too", wants_agent=True)
    page = staff_client.get(reverse("portal:dashboard")).content.decode()
    assert 'class="badge attention"' in page
    assert "2 waiting for a person" in page


def test_the_badge_refreshes_itself(staff_client: Client) -> None:
    result = unicorn_call(staff_client, "waiting-badge", "refresh_count", {})
    assert result.data["count"] == 0
    Contact.objects.create(wa_id="5215500000002", profile_name="Help", wants_agent=True)
    result = unicorn_call(staff_client, "waiting-badge", "refresh_count", {})
    assert result.data["count"] == 1


def test_the_badge_is_for_staff_only(plain_client: Client) -> None:
    assert unicorn_call(plain_client, "waiting-badge", "refresh_count", {}).status_code == 403
