"""`serve`'s watchdog: stops serve's children if serve itself dies without stopping them.

Run as `python -m portal.management.watchdog <fd>`, in a process group of its own. It reads
lines from the pipe `<fd>`: a number is the process group of a child serve started; `stop`
means serve stopped its children itself. When the pipe closes without `stop` (serve was
killed: the kernel closed its end), each group gets SIGTERM, then SIGKILL after GRACE
seconds if anything of it is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

GRACE = 10.0


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_all(groups: set[int], sig: int) -> None:
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)


def stop_groups(groups: set[int], grace: float = GRACE) -> None:
    _signal_all(groups, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_alive(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal_all({g for g in groups if _alive(g)}, signal.SIGKILL)


def watch(fd: int) -> None:
    groups: set[int] = set()
    buffer = b""
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while chunk := pipe.read(4096):
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line == b"stop":
                    return
                if line.strip().isdigit():
                    groups.add(int(line))
    if groups:
        sys.stderr.write(f"serve is gone: stopping what it started (groups {sorted(groups)})\n")
        stop_groups(groups)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is serve's to handle
    watch(int(sys.argv[1]))
