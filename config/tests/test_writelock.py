"""SQLite's writers take turns in the kernel: threads and processes alike, re-entrant per thread.

The queue as the database backend uses it (transactions, autocommit writes, readers) is tested
in config/tests/test_sqlite_backend.py."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from config.db import writelock

pytestmark = pytest.mark.django_db(transaction=True)

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer")


@on_sqlite
def test_threads_take_turns():
    spans: list[tuple[float, float]] = []

    def write() -> None:
        assert writelock.acquire(connection)
        try:
            started = time.monotonic()
            time.sleep(0.03)
            spans.append((started, time.monotonic()))
        finally:
            writelock.release()
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
        writelock.acquire(connection)
        waited = time.monotonic() - started
        writelock.release()
    finally:
        holder.wait(timeout=10)
    assert waited > 0.2


@on_sqlite
def test_re_entrant_in_one_thread():
    assert writelock.acquire(connection)
    assert writelock.acquire(connection)  # would deadlock on itself otherwise
    writelock.release()
    assert writelock.held()
    writelock.release()
    assert not writelock.held()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL")
def test_postgres_needs_no_lock():
    assert writelock.acquire(connection) is False
    assert not writelock.held()


@on_sqlite
def test_a_turn_holds_back_the_process_s_threads_but_not_other_processes():
    path = str(connection.settings_dict["NAME"]) + writelock.SUFFIX
    assert writelock.take_turn(connection)
    try:
        # Another thread of this process waits for the turn...
        entered = threading.Event()

        def other_thread() -> None:
            writelock.acquire(connection)
            entered.set()
            writelock.release()

        thread = threading.Thread(target=other_thread)
        thread.start()
        assert not entered.wait(0.2)
        # ...while another process can still take the file lock (the turn does not hold it).
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import fcntl, os\n"
                f"fd = os.open({path!r}, os.O_RDWR | os.O_CREAT)\n"
                "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                "print('got it')\n",
            ],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert other.stdout.strip() == "got it"
        # A write inside the turn takes the file lock for its own length only.
        assert writelock.acquire(connection)
        writelock.release()
        assert writelock.held()
    finally:
        writelock.release()
    thread.join(timeout=10)
    assert entered.is_set()
    assert not writelock.held()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL")
def test_postgres_needs_no_turn():
    assert writelock.take_turn(connection) is False
    assert not writelock.held()
