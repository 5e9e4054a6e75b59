"""Settings: database tuning at runtime, one clear line for bad input, the deploy check."""

from __future__ import annotations

import re
import secrets
import sqlite3

import pytest
from django.conf import settings
from django.db import connection, transaction

from config.tests.subprocess_env import ROOT, project_env, run_manage

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "config.sqlite_backend"
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="SQLite tuning")
postgres_only = pytest.mark.skipif(ON_SQLITE, reason="PostgreSQL tuning")


def _pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


# --- The database, as the running connection sees it ---------------------------------------


@sqlite_only
@pytest.mark.django_db
def test_sqlite_pragmas():
    assert _pragma("journal_mode") == "wal"
    assert _pragma("synchronous") == 1  # NORMAL
    assert _pragma("busy_timeout") >= 20_000
    assert _pragma("wal_autocheckpoint") == 10_000


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_transactions_take_the_write_lock_at_begin():
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    database = connection.settings_dict["NAME"]
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        # Nothing written yet, but BEGIN IMMEDIATE already holds the write lock.
        with transaction.atomic(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


@postgres_only
def test_postgres_keeps_connections():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


# --- Bad input: one line naming the variable, no traceback -------------------------------

BAD_INPUT = [
    ({"DATABASE_URL": "notaurl"}, "DATABASE_URL"),
    ({"DATABASE_URL": "mysql://user@db/raffles"}, "DATABASE_URL"),
    ({"DEBUG": "maybe"}, "DEBUG"),
    ({"DEBUG": "false", "WHATSAPP_APP_SECRET": "x"}, "SECRET_KEY"),
    ({"DEBUG": "false", "SECRET_KEY": "k" * 50}, "WHATSAPP_APP_SECRET"),
    ({"Q_WORKERS": "lots"}, "Q_WORKERS"),
    ({"TIME_ZONE": "Mars/Olympus_Mons"}, "TIME_ZONE"),
    ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
]


@pytest.mark.parametrize(
    ("overrides", "variable"), BAD_INPUT, ids=[f"{v}-{i}" for i, (_, v) in enumerate(BAD_INPUT)]
)
def test_bad_input_is_one_line_naming_the_variable(tmp_path, overrides, variable):
    result = run_manage(project_env(tmp_path, **overrides), "check")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


# --- Production ----------------------------------------------------------------------------


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = project_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="raffles.example.test",
        CSRF_TRUSTED_ORIGINS="https://raffles.example.test",
        PUBLIC_BASE_URL="https://raffles.example.test",
        WHATSAPP_APP_SECRET="x",
    )

    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_example_documents_every_variable():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(
        re.findall(
            r"(?:os\.environ\.get|os\.getenv|_bool|_int|_list)\(\s*\"([A-Z][A-Z0-9_]*)\"", source
        )
    )
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )

    assert read, "found no variables in settings.py"
    assert read <= documented, f"missing from .env.example: {sorted(read - documented)}"
