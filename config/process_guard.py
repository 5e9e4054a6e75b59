"""Children that die with their parent (Linux: prctl PR_SET_PDEATHSIG, through ctypes).

`die_with_parent(sig)` asks the kernel to send `sig` to this process when the parent that
started it dies. `children_die_with_parent()` does it for every process this one forks from
now on, and for theirs (the hook is inherited across fork): `manage.py qcluster` installs it,
so a killed cluster main process takes its sentinel, and the sentinel its workers, along;
gunicorn's workers get it from config/gunicorn_hooks.py. Elsewhere than Linux these do
nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
_installed = False


def _load_libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_libc = _load_libc()  # at import, not in a child between fork and exec


def _prctl() -> ctypes.CDLL | None:
    return _libc


def die_with_parent(sig: int = signal.SIGKILL, parent_pid: int | None = None) -> bool:
    """Get `sig` when the parent dies. If it died already (the child started as it died),
    take the signal now. Returns whether the kernel took the request."""
    libc = _prctl()
    if libc is None or libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return True


def children_die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Every process forked from here on (and forked by those) dies with its parent."""
    global _installed
    if _installed or _prctl() is None:
        return
    _installed = True
    parent = [os.getpid()]

    def before() -> None:
        parent[0] = os.getpid()

    def in_child() -> None:
        die_with_parent(sig, parent[0])

    os.register_at_fork(before=before, after_in_child=in_child)
