"""`manage.py backup`, and a real restore: back up a SQLite file while other threads write,
then open the copy as the app's database (a `manage.py` subprocess pointed at it)."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections

from config.tests.subprocess_env import project_env, run_manage
from messaging.models import Contact, OutboundMessage
from raffles import services
from raffles.exceptions import RaffleError
from raffles.models import Order
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db(transaction=True)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="manage.py backup copies SQLite databases"
)
WRITES_BEFORE = 15  # reservations committed before the backup starts
WRITES_AFTER = 15  # and while / after it runs


class Writer(threading.Thread):
    """Reserves one random number per new buyer and queues one outbound message each, in
    a loop, on its own connection, until told to stop; counts what it committed."""

    def __init__(self, raffle_id: int) -> None:
        super().__init__(daemon=True)
        self.raffle_id = raffle_id
        self.stop = threading.Event()
        self.orders = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                buyer = BuyerFactory()
                contact = Contact.objects.create(wa_id=buyer.phone.lstrip("+"), buyer=buyer)
                try:
                    services.reserve_random(self.raffle_id, 1, buyer)
                except RaffleError:
                    break  # sold out
                OutboundMessage.objects.create(
                    contact=contact, to=contact.wa_id, kind="text", payload={"type": "text"}
                )
                self.orders += 1
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            connections.close_all()


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.01)


def _counts(db: sqlite3.Connection) -> tuple[int, int]:
    orders = db.execute("SELECT COUNT(*) FROM raffles_order").fetchone()[0]
    outbox = db.execute("SELECT COUNT(*) FROM messaging_outboundmessage").fetchone()[0]
    return orders, outbox


@sqlite_only
def test_backup_while_writing_restores_a_consistent_database(tmp_path: Path) -> None:
    raffle = make_raffle(size=500, max_tickets_per_order=5)
    writer = Writer(raffle.pk)
    writer.start()
    try:
        _wait_for(lambda: writer.orders >= WRITES_BEFORE)
        committed_orders = Order.objects.count()
        committed_messages = OutboundMessage.objects.count()
        target = tmp_path / "backups" / "copy.sqlite3"
        call_command("backup", output=str(target), stdout=(out := _Out()))
        _wait_for(lambda: writer.orders >= WRITES_BEFORE + WRITES_AFTER)
    finally:
        writer.stop.set()
        writer.join(60)
    assert not writer.errors, writer.errors
    assert f"to {target}" in out.text
    assert "data as of" in out.text

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not Path(f"{target}-wal").exists()  # one self-contained file
    assert not list(target.parent.glob(".*.part"))  # the temporary file was renamed
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orders, messages = _counts(db)
        assert orders >= committed_orders
        assert messages >= committed_messages
        # No number in two live or paid orders, and every held number's order is live.
        assert not db.execute(
            "SELECT o.raffle_id, t.number FROM raffles_orderticket t"
            " JOIN raffles_order o ON o.id = t.order_id"
            " WHERE o.status IN ('DRAFT', 'PENDING_PAYMENT', 'PAID')"
            " GROUP BY o.raffle_id, t.number HAVING COUNT(*) > 1"
        ).fetchall()
        assert not db.execute(
            "SELECT n.id FROM raffles_ticketnumber n"
            " LEFT JOIN raffles_order o ON o.id = n.reserved_by_order_id"
            " WHERE n.status = 'RESERVED' AND (o.id IS NULL OR o.status != 'PENDING_PAYMENT')"
        ).fetchall()
        held = db.execute(
            "SELECT COUNT(*) FROM raffles_ticketnumber WHERE status = 'RESERVED'"
        ).fetchone()[0]
        assert held == orders  # one number per order, each still held
    assert Order.objects.count() > orders  # writes went on after the snapshot

    # The copy is a database the app runs on: point DATABASE_URL at it.
    env = project_env(tmp_path, DATABASE_URL=f"sqlite:///{target}")
    migrated = run_manage(env, "migrate", "--check")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    report = run_manage(env, "reconcile_after_restore", "--dry-run")
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Orders to re-check against the bank and the buyer's WhatsApp receipt" in report.stdout


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


@sqlite_only
def test_backup_into_a_folder_names_the_file(tmp_path: Path) -> None:
    make_raffle(size=5)
    call_command("backup", output=str(tmp_path), stdout=_Out())

    (copy,) = tmp_path.glob("*.sqlite3")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT COUNT(*) FROM raffles_raffle").fetchone() == (1,)


def test_on_postgresql_backup_prints_the_pg_dump_command_without_the_password(
    tmp_path: Path,
) -> None:
    env = project_env(
        tmp_path, DATABASE_URL="postgres://raffles:s3cret-pw@127.0.0.1:5432/raffles_prod"
    )
    result = run_manage(env, "backup")

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "pg_dump --format=custom --no-owner --host=127.0.0.1 --port=5432" in output
    assert "--username=raffles --dbname=raffles_prod" in output
    assert "s3cret-pw" not in output


@sqlite_only
def test_backup_never_overwrites_the_database(settings) -> None:
    from django.core.management.base import CommandError

    database = settings.DATABASES["default"]["NAME"]
    with pytest.raises(CommandError, match="must not overwrite"):
        call_command("backup", output=str(database), stdout=_Out())
