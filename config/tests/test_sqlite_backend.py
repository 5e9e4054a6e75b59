"""The project's SQLite backend queues every writer on the write lock's file; readers never."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from config.db import writelock
from raffles.models import Buyer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer"),
]


@pytest.fixture
def lock_held_elsewhere() -> Iterator[None]:
    """Another process holds the queue for 0.4 s (SQLite's own lock stays free)."""
    path = str(connection.settings_dict["NAME"]) + writelock.SUFFIX
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, time\n"
            f"fd = os.open({path!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(0.4)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.wait(timeout=10)


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    action()
    return time.monotonic() - started


def test_a_transaction_waits_its_turn(lock_held_elsewhere: None) -> None:
    def write() -> None:
        with transaction.atomic():
            Buyer.objects.create(phone="+15550000001")

    assert timed(write) > 0.2
    assert not writelock.held()  # released at commit


def test_a_single_write_outside_a_transaction_waits_its_turn(lock_held_elsewhere: None) -> None:
    assert timed(lambda: Buyer.objects.filter(pk=0).update(name="x")) > 0.2


def test_readers_never_wait(lock_held_elsewhere: None) -> None:
    assert timed(lambda: list(Buyer.objects.all())) < 0.2


def _create_then_fail() -> None:
    with transaction.atomic():
        Buyer.objects.create(phone="+15550000002")
        raise RuntimeError


def test_a_rolled_back_transaction_releases_the_queue() -> None:
    with pytest.raises(RuntimeError):
        _create_then_fail()
    assert not writelock.held()
    with transaction.atomic():  # would wait forever if the queue were still taken
        Buyer.objects.create(phone="+15550000003")
    assert not writelock.held()
