"""gunicorn settings used by `manage.py serve` (`--config python:config.gunicorn_hooks`).

A worker gets SIGKILL when its master dies, so a killed master leaves no worker holding the
port (gunicorn's workers would otherwise notice only at their next wake-up)."""

from __future__ import annotations

import signal
from typing import Any

from config.process_guard import die_with_parent


def post_fork(server: Any, worker: Any) -> None:
    die_with_parent(signal.SIGKILL, server.pid)
