"""The SQLite database (with its -wal and -shm files) and payment proofs are private to the
account that runs the app: files 0600, folders 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from config.tests.subprocess_env import project_env, run_manage

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200


def _mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.django_db
def test_stored_files_and_their_folders_are_private(open_umask):
    name = default_storage.save("modes-test/sub/proof.jpg", ContentFile(JPEG))
    try:
        path = Path(default_storage.path(name))
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700
        assert _mode(path.parent.parent) == 0o700
    finally:
        default_storage.delete(name)


@pytest.mark.slow
def test_the_sqlite_database_and_its_wal_are_private(tmp_path, open_umask):
    env = project_env(tmp_path)
    db = tmp_path / "db.sqlite3"
    script = (
        "import os, stat;"
        "from django.contrib.sessions.models import Session;"
        "from django.db import connection;"
        "Session.objects.filter(pk='x').delete();"
        "connection.cursor().execute('INSERT INTO django_session VALUES (%s, %s, %s)',"
        " ['x', 'y', '2099-01-01']);"
        "name = connection.settings_dict['NAME'];"
        "print({s: oct(stat.S_IMODE(os.stat(str(name) + s).st_mode))"
        " for s in ('', '-wal', '-shm') if os.path.exists(str(name) + s)})"
    )
    result = run_manage(env, "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    assert _mode(db) == 0o600
    result = run_manage(env, "shell", "-v0", "-c", script)
    assert result.returncode == 0, result.stderr
    modes = eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 - our own dict literal
    assert modes == {"": "0o600", "-wal": "0o600", "-shm": "0o600"}


@pytest.mark.slow
def test_an_existing_world_readable_database_is_tightened(tmp_path, open_umask):
    env = project_env(tmp_path)
    db = tmp_path / "db.sqlite3"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    assert run_manage(env, "migrate", "-v0").returncode == 0
    assert _mode(db) == 0o600
