"""The webhook's SQLite writers take turns in the kernel: threads and processes alike."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, transaction

from raffles import writelock

pytestmark = pytest.mark.django_db(transaction=True)

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer")


@on_sqlite
def test_threads_take_turns():
    spans: list[tuple[float, float]] = []

    def write() -> None:
        try:
            with writelock.sqlite_writer():
                started = time.monotonic()
                time.sleep(0.03)
                spans.append((started, time.monotonic()))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    spans.sort()
    assert len(spans) == 4
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


@on_sqlite
def test_a_writer_in_another_process_is_waited_for():
    path = str(connection.settings_dict["NAME"]) + writelock.SUFFIX
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({path!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(0.4)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with writelock.sqlite_writer():
            waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
    assert waited > 0.2


@on_sqlite
def test_inside_a_transaction_it_does_not_lock_again():
    with transaction.atomic(), writelock.sqlite_writer():  # would deadlock on itself otherwise
        pass
    with writelock.sqlite_writer(), transaction.atomic(), writelock.sqlite_writer():
        pass


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL")
def test_postgres_needs_no_lock():
    with writelock.sqlite_writer(), writelock.sqlite_writer():  # not a lock at all: no deadlock
        pass
