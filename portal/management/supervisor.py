"""Run a few child processes together and stop them together (used by `manage.py serve`).

Each child runs in its own process group: a Ctrl-C in the terminal reaches only the
supervisor, which forwards SIGTERM to each child, waits, and kills what is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

POLL_SECONDS = 0.2


class Supervisor:
    def __init__(
        self,
        *,
        cwd: Path,
        env: Mapping[str, str],
        log: Callable[[str], None],
        stop_timeout: float = 20.0,
    ) -> None:
        self.cwd = cwd
        self.env = dict(env)
        self.log = log
        self.stop_timeout = stop_timeout
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_signal: int | None = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop_signal = signum

    def start(self, name: str, argv: list[str]) -> None:
        if self.stop_signal is not None:
            return
        self.procs[name] = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv, cwd=self.cwd, env=self.env, process_group=0
        )

    def run(self, *, ready: Callable[[], bool], on_ready: Callable[[], None]) -> str | None:
        """Block until a stop signal (returns None) or a child's exit (returns what happened).

        `on_ready` is called once, the first time `ready()` is true. Every child is stopped
        before this returns.
        """
        announced = False
        failure: str | None = None
        try:
            while self.stop_signal is None:
                failure = self._first_exit()
                if failure:
                    break
                if not announced and ready():
                    on_ready()
                    announced = True
                time.sleep(POLL_SECONDS)
        finally:
            self.stop_all()
        return failure

    def _first_exit(self) -> str | None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return f"{name} exited with code {proc.returncode}"
        return None

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                _send(proc.send_signal, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.log(f"{name} did not stop within {self.stop_timeout:.0f} s: killed")
            # The whole group: a leader that hung, and whatever it left behind (workers).
            _send(lambda sig, pid=proc.pid: os.killpg(pid, sig), signal.SIGKILL)
            proc.wait()


def _send(send: Callable[[int], None], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        send(signum)
