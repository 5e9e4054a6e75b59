"""`manage.py reconcile_after_restore` on data as a backup left it: stale queued messages are
closed (never sent), holds that ended before the backup expire the normal way (the buyer is
told), holds running at the backup's time are kept for staff to check, and the report lists
what to re-check. A second run changes nothing; --dry-run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from messaging.channel.restore import STALE_AFTER_RESTORE
from messaging.models import Contact, OutboundMessage
from raffles import services
from raffles.exceptions import RaffleError
from raffles.models import Order, OrderEvent, TicketNumber
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _order(raffle, numbers: list[int], hold_ends, *, proof: bool = False) -> Order:
    buyer = BuyerFactory()
    Contact.objects.create(
        wa_id=buyer.phone.lstrip("+"), buyer=buyer, last_inbound_at=timezone.now()
    )
    order = services.reserve_specific(raffle.pk, numbers, buyer)
    if proof:
        services.attach_payment_proof(
            order, content=PNG, mime_type="image/png", source_media_id=f"m-{order.pk}"
        )
    else:
        Order.objects.filter(pk=order.pk).update(expires_at=hold_ends)
        TicketNumber.objects.filter(reserved_by_order=order).update(reserved_until=hold_ends)
    return order


@pytest.fixture
def restored():
    """A database restored from a backup taken an hour ago."""
    now = timezone.now()
    backup = now - timedelta(hours=1)
    raffle = make_raffle(size=50)
    data = {
        "backup": backup,
        "ended_before": _order(raffle, [1], backup - timedelta(minutes=5)),
        "ran_past_backup": _order(raffle, [2, 3], backup + timedelta(minutes=20)),
        "still_running": _order(raffle, [4], now + timedelta(minutes=10)),
        "with_proof": _order(raffle, [5], None, proof=True),
        "raffle": raffle,
    }
    OutboundMessage.objects.all().delete()  # the reservations' own messages
    contact = Contact.objects.first()
    message = {"contact": contact, "to": contact.wa_id, "kind": "text", "payload": {}}
    data["stale"] = OutboundMessage.objects.create(**message, created_at=backup - timedelta(2))
    data["sending"] = OutboundMessage.objects.create(
        **message, status=OutboundMessage.Status.SENDING, created_at=backup - timedelta(minutes=1)
    )
    data["sent"] = OutboundMessage.objects.create(
        **message, status=OutboundMessage.Status.SENT, created_at=backup - timedelta(minutes=3)
    )
    data["fresh"] = OutboundMessage.objects.create(**message, created_at=now)
    return data


def _run(*args: str) -> str:
    out = StringIO()
    call_command("reconcile_after_restore", *args, stdout=out)
    return out.getvalue()


def _state() -> tuple:
    return (
        list(Order.objects.order_by("id").values_list("status", "expires_at")),
        list(OutboundMessage.objects.order_by("id").values_list("status", "last_error")),
        list(TicketNumber.objects.order_by("id").values_list("status", "reserved_until")),
    )


def test_dry_run_reports_and_changes_nothing(restored):
    before = _state()
    report = _run("--dry-run", f"--backup-time={restored['backup'].isoformat()}")

    assert _state() == before
    assert "would be dropped: 2" in report
    assert "would be expired (buyers notified): 1" in report
    assert "would be kept until" in report
    assert ": 2" in report


def test_reconcile_after_restore(restored):
    now = timezone.now()
    report = _run(f"--backup-time={restored['backup'].isoformat()}")

    # (a) Queued or sending rows from before the backup: closed with the reason, never sent.
    for name in ("stale", "sending"):
        restored[name].refresh_from_db()
        assert restored[name].status == OutboundMessage.Status.UNDELIVERABLE
        assert restored[name].last_error == STALE_AFTER_RESTORE
        assert restored[name].failed_at is not None
    restored["sent"].refresh_from_db()
    assert restored["sent"].status == OutboundMessage.Status.SENT
    restored["fresh"].refresh_from_db()
    assert restored["fresh"].status == OutboundMessage.Status.QUEUED

    # (b) The hold that ended before the backup expired the normal way: buyer told.
    ended = Order.objects.get(pk=restored["ended_before"].pk)
    assert ended.status == Order.Status.EXPIRED
    assert OrderEvent.objects.filter(order=ended, kind="expired").exists()
    assert OutboundMessage.objects.filter(contact__buyer=ended.buyer).exists()

    # (c) Holds running at the backup's time are kept, their numbers off sale.
    for name in ("ran_past_backup", "still_running"):
        order = Order.objects.get(pk=restored[name].pk)
        assert order.status == Order.Status.PENDING_PAYMENT
        assert order.expires_at >= now + timedelta(minutes=119)
        assert OrderEvent.objects.filter(order=order, kind="hold_kept_after_restore").exists()
        held = TicketNumber.objects.filter(reserved_by_order=order)
        assert all(t.reserved_until == order.expires_at for t in held)
    with pytest.raises(RaffleError):
        services.reserve_specific(restored["raffle"].pk, [2], BuyerFactory())

    # The report lists every order to re-check, and says nothing was paused.
    for name in ("ran_past_backup", "still_running", "with_proof"):
        assert restored[name].code in report
    assert restored["ended_before"].code not in report
    assert "proof waiting for review" in report
    assert "Nothing was paused" in report
    assert "Queued messages from before" in report
    assert "dropped: 2" in report

    # Idempotent: a second run changes nothing.
    after = _state()
    again = _run(f"--backup-time={restored['backup'].isoformat()}")
    assert _state() == after
    assert "dropped: 0" in again
    assert "expired (buyers notified): 0" in again


def test_the_backup_time_defaults_to_the_last_write_in_the_data(restored):
    report = _run("--dry-run")

    assert "Backup taken at (or after):" in report
    # The last write is the fresh message (now): no hold had run past it.
    assert "would be dropped: 2" in report


def test_keep_zero_lets_holds_run_out_at_their_time(restored):
    _run(f"--backup-time={restored['backup'].isoformat()}", "--keep-holds-minutes=0")

    order = Order.objects.get(pk=restored["ran_past_backup"].pk)
    assert order.expires_at == restored["backup"] + timedelta(minutes=20)


def test_bad_backup_time_is_refused(restored):
    with pytest.raises(CommandError):
        _run("--backup-time=yesterday")
