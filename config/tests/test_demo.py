"""Demo data (`manage.py load_demo`) and the demo staff login of `serve --demo`."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from portal.management.commands.serve import ensure_demo_staff
from raffles.models import Raffle, TicketNumber

pytestmark = pytest.mark.django_db


def _demo_raffles():
    return list(Raffle.objects.order_by("max_number"))


def test_load_demo_creates_two_active_raffles():
    call_command("load_demo", verbosity=0)

    small, big = _demo_raffles()
    assert (small.min_number, small.max_number) == (0, 99)
    assert (big.min_number, big.max_number) == (0, 9999)
    for raffle in (small, big):
        assert raffle.is_active
        assert raffle.prize
        assert raffle.ticket_price > 0
        assert raffle.payment_instructions
        assert TicketNumber.objects.filter(raffle=raffle).count() == raffle.size
    assert small.format_number(7) == "07"
    assert big.format_number(7) == "0007"


def test_load_demo_is_idempotent():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    assert len(_demo_raffles()) == 2
    assert TicketNumber.objects.count() == 100 + 10_000


def test_load_demo_finishes_a_half_done_raffle():
    call_command("load_demo", verbosity=0)
    small = _demo_raffles()[0]
    TicketNumber.objects.filter(raffle=small).delete()
    Raffle.objects.filter(pk=small.pk).update(
        status=Raffle.Status.DRAFT, generation_status=Raffle.Generation.NONE
    )

    call_command("load_demo", verbosity=0)

    small.refresh_from_db()
    assert small.is_active
    assert TicketNumber.objects.filter(raffle=small).count() == 100


def test_demo_staff_login_is_created_then_reset():
    ensure_demo_staff("staff", "raffles-demo")
    user = get_user_model().objects.get(username="staff")
    assert user.is_staff
    assert user.is_superuser
    user.set_password("changed")
    user.save()

    ensure_demo_staff("staff", "raffles-demo")

    assert authenticate(username="staff", password="raffles-demo") == user
