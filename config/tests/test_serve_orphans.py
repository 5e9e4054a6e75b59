"""Killing a process of the app with SIGKILL leaves no orphans behind.

- `serve` killed alone: its gunicorn (master and workers) and its task cluster stop too, the
  port is free again and a second `serve` on it starts.
- The task cluster's main process killed alone (`manage.py qcluster`, run by itself): its
  sentinel and workers stop too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.tests.subprocess_env import ROOT, project_env, run_manage
from config.tests.test_serve import (
    _children,
    _cmdline,
    _free_port,
    _kill_session,
    _session_members,
    _start_serve,
    _wait_healthy,
    _wait_until_gone,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc"),
]


def _port_free(port: int) -> bool:
    """Nothing listens on it (connections of the previous run may linger in TIME_WAIT, as
    for any server restart: servers bind with SO_REUSEADDR, so do we)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_killing_serve_alone_stops_everything_and_frees_the_port(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = _start_serve(tmp_path, port)
    second = None
    try:
        _wait_healthy(proc, port, log)
        assert len(_session_members(proc.pid)) >= 4, "serve, gunicorn + worker, the cluster"

        os.kill(proc.pid, signal.SIGKILL)  # serve alone: no chance to stop its children
        proc.wait(timeout=10)

        left = _wait_until_gone(proc.pid, timeout=30)
        assert left == set(), [_cmdline(pid) for pid in left]
        assert _port_free(port)

        # A restart on the same port works.
        second = _start_serve(tmp_path, port)
        _wait_healthy(second, port, log)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0, log.read_text()
        assert _wait_until_gone(second.pid) == set()
    finally:
        for process in (proc, second):
            if process is not None:
                _kill_session(process)


def test_killing_the_cluster_main_process_stops_its_workers(tmp_path):
    env = project_env(tmp_path, DEBUG="true", Q_WORKERS="2")
    assert run_manage(env, "migrate", "-v0").returncode == 0
    assert run_manage(env, "createcachetable").returncode == 0
    log = (tmp_path / "qcluster.log").open("wb")
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # main -> sentinel -> 2 workers, monitor, pusher
        assert _wait(lambda: len(_session_members(cluster.pid)) >= 5, 60), (
            tmp_path / "qcluster.log"
        ).read_text()
        assert _children(cluster.pid), "the sentinel"

        os.kill(cluster.pid, signal.SIGKILL)
        cluster.wait(timeout=10)

        left = _wait_until_gone(cluster.pid, timeout=20)
        assert left == set(), [_cmdline(pid) for pid in left]
    finally:
        _kill_session(cluster)
