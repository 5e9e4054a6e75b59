"""Test settings: the production settings, with tasks run synchronously.

django-q2 reads Q_CLUSTER when it is imported, so `sync` must be set here, at load time.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, Q_CLUSTER

Q_CLUSTER = {**Q_CLUSTER, "sync": True}

_db = DATABASES["default"]
if _db["ENGINE"] == "config.sqlite_backend":
    # A real file (not :memory:) so threads and processes share it with WAL, as in production.
    # One per test process, so several test runs on one machine never collide.
    _db["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"raffles-test-{os.getpid()}.sqlite3")
    }
else:
    _db["TEST"] = {"NAME": f"test_{_db['NAME']}_{os.getpid()}"}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="raffles-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
WHITENOISE_AUTOREFRESH = True  # serve static files from the apps in tests (no collectstatic)
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/private-media-not-served/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests read what they just wrote (a test that checks the kept views turns this on).
WHATSAPP_RAFFLE_VIEW_SECONDS = 0
WHATSAPP_APP_SECRET = "test-app-secret"  # noqa: S105
WHATSAPP_VERIFY_TOKEN = "test-verify-token"  # noqa: S105
