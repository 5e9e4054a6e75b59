"""`manage.py serve` as a real process: it serves, stops on SIGTERM, and leaves nothing behind.

The server runs in a session of its own, so every process it starts (the task cluster,
gunicorn and their workers) can be found in /proc by session id.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config.tests.subprocess_env import ROOT, project_env, run_manage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes() -> dict[int, tuple[str, int, int]]:
    """pid -> (state, parent pid, session id), read from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        state, ppid, _pgrp, session = stat[stat.rfind(")") + 2 :].split()[:4]
        found[int(entry.name)] = (state, int(ppid), int(session))
    return found


def _session_members(session_id: int) -> set[int]:
    """Live (not zombie) processes of a session."""
    return {
        pid
        for pid, (state, _ppid, session) in _processes().items()
        if session == session_id and state not in {"Z", "X"}
    }


def _children(parent: int) -> list[int]:
    return [pid for pid, (_state, ppid, _session) in _processes().items() if ppid == parent]


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _wait_until_gone(session_id: int, timeout: float = 10) -> set[int]:
    deadline = time.monotonic() + timeout
    while (left := _session_members(session_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _start_serve(tmp_path: Path, port: int, *args: str, **env: str) -> subprocess.Popen:
    log = (tmp_path / "serve.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "1", *args],
        cwd=ROOT,
        env=project_env(tmp_path, DEBUG="true", **env),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill_session(proc: subprocess.Popen) -> None:
    for pid in _session_members(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _wait_healthy(proc: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail(f"/healthz never answered 200 within {timeout} s:\n{log.read_text()}")


def test_serve_demo_until_sigterm(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = _start_serve(tmp_path, port, "--demo", DEMO_PASSWORD="not-the-default")
    try:
        _wait_healthy(proc, port, log)
        children = _session_members(proc.pid) - {proc.pid}
        assert len(children) >= 2, "expected the task cluster and gunicorn"

        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            _kill_session(proc)

    output = log.read_text()
    assert returncode == 0, output
    assert _wait_until_gone(proc.pid) == set(), output
    assert f"running at http://127.0.0.1:{port}/" in output
    assert "username staff, password not-the-default" in output
    assert "sandbox mode" in output
    assert "Traceback" not in output


def test_serve_stops_everything_when_a_child_dies(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = _start_serve(tmp_path, port)
    try:
        _wait_healthy(proc, port, log)
        gunicorn = [pid for pid in _children(proc.pid) if b"gunicorn" in _cmdline(pid)]
        assert len(gunicorn) == 1

        os.kill(gunicorn[0], signal.SIGKILL)  # its workers are orphaned: serve must end them
        returncode = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            _kill_session(proc)

    output = log.read_text()
    assert returncode == 1, output
    assert "web exited with code -9" in output
    assert _wait_until_gone(proc.pid) == set(), output


def test_serve_refuses_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = project_env(tmp_path, DEBUG="true")

        result = run_manage(env, "serve", "--port", str(port))

    assert result.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in result.stderr
