"""Environments for tests that run `manage.py` in a subprocess, with production settings.

The project's variables are removed from the inherited environment, so the test's own
values decide. Those where an empty value means "the default" are set empty, which also
masks a developer's `.env` (settings read it without overwriting what is set).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLANK_MEANS_DEFAULT = (
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE",
    "REDIS_URL",
    "Q_WORKERS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "DEMO_PASSWORD",
)
OTHER_PROJECT_VARIABLES = (
    "LANGUAGE_CODE",
    "LOG_LEVEL",
    "PUBLIC_BASE_URL",
    "RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY",
    "TIME_ZONE",
)


def project_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Production settings (`config.settings`) on a fresh SQLite file under `tmp_path`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in OTHER_PROJECT_VARIABLES and not key.startswith(("WHATSAPP_", "DJANGO_"))
    }
    env.update(dict.fromkeys(BLANK_MEANS_DEFAULT, ""))
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def run_manage(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
