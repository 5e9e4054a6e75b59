"""`manage.py backup`: a consistent copy of the SQLite database while the app runs.

SQLite's online backup (`sqlite3.Connection.backup`, in one step) copies the database as one
read transaction sees it, the WAL's committed pages included, while writers carry on. The
copy is written to a temporary file next to the target, checked, made self-contained (no WAL
of its own), flushed to disk and renamed into place, so a backup file is always whole.
PostgreSQL has its own tools: `pg_dump_command` says which.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

BACKUP_MODE = 0o600
BUSY_TIMEOUT_SECONDS = 20


class BackupError(Exception):
    """The backup could not be made; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    seconds: float
    taken_at: datetime  # when the copy's read transaction started: the data is as of then


def default_target(database: Path, now: datetime | None = None) -> Path:
    """backups/<name>-<UTC time>.sqlite3 next to the database."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return database.parent / "backups" / f"{database.stem}-{stamp}.sqlite3"


def backup_sqlite(database: Path, target: Path) -> Backup:
    """Copy `database` to `target` (mode 0600) as of one moment, while others write."""
    if not database.is_file():
        raise BackupError(_("No SQLite database at %s") % database)
    if target.resolve() == database.resolve():
        raise BackupError(_("The backup must not overwrite the database itself"))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    started = time.monotonic()
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)  # mkstemp creates it 0600; SQLite writes it from here
    try:
        taken_at = _copy(database, Path(temporary))
        os.chmod(temporary, BACKUP_MODE)
        _fsync(Path(temporary))
        os.replace(temporary, target)
        _fsync(target.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Backup(target, target.stat().st_size, time.monotonic() - started, taken_at)


def _copy(database: Path, temporary: Path) -> datetime:
    source = sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)
    copy = sqlite3.connect(temporary)
    try:
        source.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        taken_at = datetime.now(UTC)
        source.backup(copy)  # pages=-1: all in one step, one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        (result,) = copy.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(_("The copy failed its check: %s") % result)
    except sqlite3.Error as exc:
        raise BackupError(
            _("SQLite could not copy %(database)s: %(error)s")
            % {"database": database, "error": exc}
        ) from exc
    finally:
        copy.close()
        source.close()
    return taken_at


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pg_dump_command(database: dict[str, Any]) -> str:
    """The pg_dump command for these DATABASES settings, without the password (pg_dump
    reads it from ~/.pgpass or PGPASSWORD)."""
    parts = ["pg_dump", "--format=custom", "--no-owner"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            parts.append(f"{option}={database[key]}")
    parts.append(f"--dbname={database.get('NAME') or ''}")
    command = shlex.join(parts)
    return f'{command} --file="raffles-$(date -u +%Y%m%dT%H%M%SZ).dump"'


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover
