"""Run a few child processes together and stop them together (used by `manage.py serve`).

Each child runs in its own process group: a Ctrl-C in the terminal reaches only the
supervisor, which forwards SIGTERM to each child, waits, and kills what is left.

If the supervisor itself is killed (SIGKILL, the OOM killer), nothing is left behind either:
each child gets SIGTERM from the kernel when the supervisor dies (PR_SET_PDEATHSIG), and a
watchdog process (portal/management/watchdog.py), told each child's process group through a
pipe, sees the pipe close and stops those groups, with SIGKILL for what outlives a grace time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from config.process_guard import die_with_parent

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
        self.watchdog: subprocess.Popen[bytes] | None = None
        self._watchdog_pipe: int | None = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop_signal = signum

    def start(self, name: str, argv: list[str]) -> None:
        if self.stop_signal is not None:
            return
        if self.watchdog is None:
            self._start_watchdog()
        parent = os.getpid()
        self.procs[name] = proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv,
            cwd=self.cwd,
            env=self.env,
            process_group=0,
            preexec_fn=lambda: die_with_parent(signal.SIGTERM, parent),
        )
        self._tell_watchdog(f"{proc.pid}\n")

    def _start_watchdog(self) -> None:
        read_end, write_end = os.pipe()
        try:
            self.watchdog = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [sys.executable, "-m", "portal.management.watchdog", str(read_end)],
                cwd=self.cwd,
                env=self.env,
                pass_fds=(read_end,),
                stdin=subprocess.DEVNULL,
                process_group=0,  # not stopped with a child's group, nor by a Ctrl-C
            )
        finally:
            os.close(read_end)
        self._watchdog_pipe = write_end  # not inherited by the children (close_fds)

    def _tell_watchdog(self, message: str) -> None:
        if self._watchdog_pipe is None:
            return
        try:
            os.write(self._watchdog_pipe, message.encode())
        except OSError:  # the watchdog died: the children still die with us (PDEATHSIG)
            self.log("the watchdog is gone")

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
            _send(functools.partial(os.killpg, proc.pid), signal.SIGKILL)
            proc.wait()
        self._stop_watchdog()

    def _stop_watchdog(self) -> None:
        """Everything is stopped: tell the watchdog it has nothing to do."""
        self._tell_watchdog("stop\n")
        if self._watchdog_pipe is not None:
            os.close(self._watchdog_pipe)
            self._watchdog_pipe = None
        if self.watchdog is not None:
            try:
                self.watchdog.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.watchdog.kill()
                self.watchdog.wait()


def _send(send: Callable[[int], None], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        send(signum)
