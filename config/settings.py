"""Settings for Raffle Backoffice, read from the environment (and `.env`) with django-environ.

Every variable is documented in `.env.example`. Bad values raise `ImproperlyConfigured`
naming the variable; `manage.py` turns that into one clear line and a non-zero exit.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.is_file():
    environ.Env.read_env(str(_env_file), overwrite=False)


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = _bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: production (DEBUG=false) refuses to start without it"
        )
    # Development only: a fresh key per process start is fine (sessions reset on restart).
    SECRET_KEY = "dev-insecure-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = _list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {_origin!r}"
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "django_unicorn",
    "ninja",
    "raffles",
    "messaging",
    "portal",
]

MIDDLEWARE = [
    "config.middleware.DrainRequestBodyMiddleware",  # first: the client reads our 413s
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RequestOriginMiddleware",  # staff actions' address, for the audit log
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.middleware.StaffPreferencesMiddleware",  # after auth: the staff member's language
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# `manage.py test` runs the pytest suite with the test settings (config/test_runner.py).
TEST_RUNNER = "config.test_runner.PytestRunner"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_default_db_url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL") or _default_db_url
try:
    with warnings.catch_warnings():
        # django-environ only warns about an unknown scheme; it is reported below, in one line.
        warnings.simplefilter("ignore")
        _db = env.db_url_config(_db_url)
except Exception as exc:  # django-environ raises several kinds for bad URLs
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if not _db.get("ENGINE"):
    _scheme = urlsplit(_db_url).scheme
    raise ImproperlyConfigured(
        "DATABASE_URL must look like sqlite:////path/db.sqlite3 or postgres://user@host/name,"
        f" got {f'scheme {_scheme!r}' if _scheme else 'no scheme'}"
    )

if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["ENGINE"] = "config.sqlite_backend"  # Django's, with writers queued (see its docstring)
    # Kept open between requests too: opening a connection runs the PRAGMAs below, and closing
    # the last one checkpoints the WAL to the main file; per request, that was most of a
    # webhook POST's time.
    _db["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60, minimum=1)
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # Checkpoints every 10,000 WAL pages (~40 MB), not SQLite's 1,000: a checkpoint
            # runs inside a committing writer's turn, and each one's fsync stalls the queue
            # however many pages it copies (docs/performance.md).
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
                "PRAGMA wal_autocheckpoint=10000;"
            ),
        }
    )
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60, minimum=1)
    _db["CONN_HEALTH_CHECKS"] = True
    # Server-side parameters, and statements prepared after 5 runs on one connection: the
    # hot statements (reservations, the webhook) are the same few shapes, and parsing and
    # planning them each time was a third of their round trip. Set DATABASE_PREPARE=0 behind
    # a transaction-mode pooler (PgBouncer < 1.21), which cannot keep prepared statements.
    if env.bool("DATABASE_PREPARE", default=True):
        _db.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
else:
    raise ImproperlyConfigured(
        f"DATABASE_URL must point to SQLite or PostgreSQL, got engine {_db['ENGINE']!r}"
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, queue -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, got {REDIS_URL!r}")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared between gunicorn workers and the django-q2 cluster (django-unicorn needs that).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "raffles_cache",
        }
    }

Q_CLUSTER: dict[str, object] = {
    # The queue's name: nodes of one deployment share it (and nothing else may).
    "name": os.environ.get("Q_CLUSTER_NAME") or "raffles",
    # Tasks mostly wait (Graph API requests, database round trips): two per core.
    "workers": _int("Q_WORKERS", 2 * (os.cpu_count() or 1), minimum=1),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "queue_limit": 50,
    # A worker is replaced after this many tasks (django-q2's default is 500): under sustained
    # traffic that default means a fork, new database connections and cold prepared statements
    # every few seconds.
    "recycle": 5000,
    "catch_up": False,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.2
    # Each dequeue reads this many due tasks in one SELECT (django-q2's default is 1: a
    # SELECT per task). They are locked one by one as before.
    Q_CLUSTER["bulk"] = _int("Q_BULK", 5, minimum=1)
    # django-q2's ORM broker with its per-task statements written once (config/q_broker.py).
    Q_CLUSTER["broker_class"] = "config.q_broker.OrmBroker"

# --- Auth, i18n, static ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("es", "Español"), ("pt-br", "Português (Brasil)")]
if LANGUAGE_CODE.lower() != "pt-br" and LANGUAGE_CODE.split("-")[0] not in {"en", "es", "pt"}:
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be 'en', 'es' or 'pt-br', got {LANGUAGE_CODE!r}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except Exception:
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "private-media")
STORAGES = {
    # Payment proofs live here: never served under a public URL.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/private-media-not-served/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Payment proofs and uploads are private to the account that runs the app, whatever its umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # WhatsApp webhooks up to (at least) 3 MB

# --- Security (production) -----------------------------------------------------------------
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy on every page: scripts only from this site (django-unicorn is started
# from portal/unicorn-init.js, not inline), plus the one-line stub its {% unicorn %} tag writes
# inline, allowed by its hash. Inline style attributes are allowed (the templates use them).
UNICORN_INLINE_STUB = "window.Unicorn = window.Unicorn || {};"
_stub_hash = base64.b64encode(hashlib.sha256(UNICORN_INLINE_STUB.encode()).digest()).decode()
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": [
        "'self'",
        f"'sha256-{_stub_hash}'",
    ],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Health probes (load balancers, uptime checks) call /healthz over plain http: no redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- WhatsApp Cloud API ----------------------------------------------------------------
WHATSAPP_ACCESS_TOKEN = os.environ.get("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_API_BASE_URL = os.environ.get("WHATSAPP_API_BASE_URL", "https://graph.facebook.com")
if urlsplit(WHATSAPP_API_BASE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(
        f"WHATSAPP_API_BASE_URL must be an http(s) URL, got {WHATSAPP_API_BASE_URL!r}"
    )
WHATSAPP_API_VERSION = os.environ.get("WHATSAPP_API_VERSION", "v21.0")
WHATSAPP_MESSAGES_PER_SECOND = _int("WHATSAPP_MESSAGES_PER_SECOND", 80, minimum=1)
WHATSAPP_TEMPLATE_NAME = os.environ.get("WHATSAPP_TEMPLATE_NAME", "")
WHATSAPP_TEMPLATE_LANGUAGE = os.environ.get("WHATSAPP_TEMPLATE_LANGUAGE", "en")
# The notification templates Meta approved (`manage.py whatsapp_templates` prints them all):
# names, separated by commas or spaces, each for every language (`raffle_receipt`) or for one
# (`raffle_receipt:pt_BR`). A notification outside the 24-hour window whose template is not
# listed is recorded as undeliverable (docs/whatsapp.md, "Message templates").
WHATSAPP_APPROVED_TEMPLATES = os.environ.get("WHATSAPP_APPROVED_TEMPLATES", "")
# Buyers with paid numbers get a reminder this many hours before the raffle's draw.
DRAW_REMINDER_HOURS = _int("DRAW_REMINDER_HOURS", 24, minimum=1)
WHATSAPP_MAX_IMAGE_BYTES = _int("WHATSAPP_MAX_IMAGE_BYTES", 5 * 1024 * 1024, minimum=1)
WHATSAPP_MAX_DOCUMENT_BYTES = _int("WHATSAPP_MAX_DOCUMENT_BYTES", 100 * 1024 * 1024, minimum=1)
# Outbox: transient send errors are retried with capped exponential backoff for this many
# hours after a message was queued (or re-sent by staff), then it is marked failed; an
# optional cap on the number of tries (0: none); how long a send claim lasts before the
# sweeper may send the row again (a dead worker's row is re-sent after this; always longer
# than the Graph API request timeout).
WHATSAPP_SEND_RETRY_HOURS = _int("WHATSAPP_SEND_RETRY_HOURS", 24, minimum=1)
WHATSAPP_MAX_SEND_ATTEMPTS = _int("WHATSAPP_MAX_SEND_ATTEMPTS", 0, minimum=0)
WHATSAPP_SEND_LEASE_SECONDS = _int("WHATSAPP_SEND_LEASE_SECONDS", 60, minimum=2)
# Inbound: a message whose handling meets a transient database error (unavailable, deadlock,
# lock timeout) is retried after BASE, 2*BASE, 4*BASE... seconds (at most MAX apart); after
# MAX_ATTEMPTS failed attempts it is parked as failed for staff to retry.
WHATSAPP_INBOUND_RETRY_BASE_SECONDS = _int("WHATSAPP_INBOUND_RETRY_BASE_SECONDS", 2, minimum=1)
WHATSAPP_INBOUND_RETRY_MAX_SECONDS = _int("WHATSAPP_INBOUND_RETRY_MAX_SECONDS", 300, minimum=1)
WHATSAPP_INBOUND_MAX_ATTEMPTS = _int("WHATSAPP_INBOUND_MAX_ATTEMPTS", 25, minimum=1)
# Seconds a process keeps the raffles the bot shows (on sale, numbers left, draw) before
# reading them again: a launch crowd's every "hi" shows the same list. 0 reads them every time.
WHATSAPP_RAFFLE_VIEW_SECONDS = _int("WHATSAPP_RAFFLE_VIEW_SECONDS", 2, minimum=0)
# Days the raw body of each webhook delivery is kept (its messages, statuses, hash and counts
# stay forever); 0 keeps the bodies forever.
WHATSAPP_RAW_BODY_DAYS = _int("WHATSAPP_RAW_BODY_DAYS", 90, minimum=0)
# The conversation: the dotted path of the function the channel calls once for each stored
# inbound message, in order per contact, inside the transaction that marks it processed.
WHATSAPP_INBOUND_HANDLER = os.environ.get(
    "WHATSAPP_INBOUND_HANDLER", "messaging.bot.handlers.handle_inbound"
)
# Talking to a person: the bot stays quiet this many minutes after the last staff message (or
# after the buyer's request, when no staff message came), then the sweeper hands the
# conversation back to the bot. SUPPORT_HOURS: when a person answers, in TIME_ZONE
# ("Mon-Fri 09:00-18:00; Sat 10:00-14:00"); empty: always. Outside them the buyer who asks
# for a person is told the next opening time.
HANDOVER_QUIET_MINUTES = _int("HANDOVER_QUIET_MINUTES", 30, minimum=1)
# Winners: days after the draw to claim a prize, unless the raffle sets its own.
CLAIM_DAYS = _int("CLAIM_DAYS", 30, minimum=1)
# A raffle's prize photo: at most this many bytes (Meta sends images up to 5 MB).
PRIZE_PHOTO_MAX_BYTES = _int("PRIZE_PHOTO_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
SUPPORT_HOURS = os.environ.get("SUPPORT_HOURS", "")
try:
    from messaging.bot.support_hours import parse as _parse_support_hours

    _parse_support_hours(SUPPORT_HOURS)
except ValueError as exc:
    raise ImproperlyConfigured(f"SUPPORT_HOURS: {exc}") from None
# Sandbox: with no credentials, outbound messages are recorded as sent, never leave the machine.
WHATSAPP_SANDBOX = not (WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID)
if not WHATSAPP_APP_SECRET and DEBUG:
    # The portal simulator signs its webhook payloads with this secret in sandbox mode.
    WHATSAPP_APP_SECRET = "sandbox-app-secret"  # noqa: S105 - development default only
if not WHATSAPP_VERIFY_TOKEN and DEBUG:
    WHATSAPP_VERIFY_TOKEN = "sandbox-verify-token"  # noqa: S105 - development default only
if not DEBUG and not WHATSAPP_APP_SECRET:
    raise ImproperlyConfigured(
        "WHATSAPP_APP_SECRET is not set: production refuses to accept unsigned webhooks"
    )

# --- Raffles ---------------------------------------------------------------------------------
RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY = _int("RAFFLES_REMINDER_MINUTES_BEFORE_EXPIRY", 10)
# How long after confirming a payment staff may undo it (raffles.services.reversals).
PAYMENT_UNDO_MINUTES = _int("PAYMENT_UNDO_MINUTES", 10, minimum=1)

# --- Sign-in throttling ---------------------------------------------------------------------
# Failed portal sign-ins allowed per username and per client address within the window;
# beyond, sign-in is refused (429) until the window ends.
LOGIN_FAILURES_PER_USERNAME = _int("LOGIN_FAILURES_PER_USERNAME", 5, minimum=1)
LOGIN_FAILURES_PER_IP = _int("LOGIN_FAILURES_PER_IP", 20, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = _int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
# Behind a reverse proxy: the header whose last address is the client's (X-Forwarded-For).
# Empty: the connection's address (REMOTE_ADDR).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()

# --- Health (/healthz) -------------------------------------------------------------------
# 503 when a queued outbound message has been due, or an inbound message unprocessed, longer.
HEALTHZ_OUTBOX_MAX_WAIT_SECONDS = _int("HEALTHZ_OUTBOX_MAX_WAIT_SECONDS", 300, minimum=1)
HEALTHZ_INBOX_MAX_WAIT_SECONDS = _int("HEALTHZ_INBOX_MAX_WAIT_SECONDS", 300, minimum=1)

# --- API ------------------------------------------------------------------------------------
# Requests per API key (or staff user), counted in the cache: "600/min", "10/s", "5000/hour".
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "").strip() or "600/min"
# Unknown or revoked API keys allowed per client address; beyond, 429 until the window ends.
API_INVALID_KEY_RATE = os.environ.get("API_INVALID_KEY_RATE", "").strip() or "20/min"
for _name, _rate in (
    ("API_THROTTLE_RATE", API_THROTTLE_RATE),
    ("API_INVALID_KEY_RATE", API_INVALID_KEY_RATE),
):
    _count, _, _period = _rate.partition("/")
    if not (
        _count.isascii()
        and _count.isdigit()
        and int(_count) > 0
        and _period in {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}
    ):
        raise ImproperlyConfigured(
            f"{_name} must look like 600/min (a number, then /s, /min, /hour or /day),"
            f" got {_rate!r}"
        )
# The address buyers open links at (draw verification pages). Required with DEBUG=false: the
# system check messaging.E001 refuses to start without a public one.
PUBLIC_BASE_URL = os.environ.get(
    "PUBLIC_BASE_URL", "http://127.0.0.1:8000" if DEBUG else ""
).rstrip("/")
# Public raffle pages (docs/public-pages.md): the organizer's name they show, and the
# WhatsApp number buyers write to, as wa.me wants it (country code and number, digits only).
ORGANIZER_NAME = os.environ.get("ORGANIZER_NAME", "").strip()
WHATSAPP_DISPLAY_NUMBER = "".join(
    ch for ch in os.environ.get("WHATSAPP_DISPLAY_NUMBER", "") if ch.isdigit()
)

# --- Payment links (Mercado Pago Checkout Pro) ---------------------------------------------
MERCADOPAGO_ACCESS_TOKEN = os.environ.get("MERCADOPAGO_ACCESS_TOKEN", "")
MERCADOPAGO_WEBHOOK_SECRET = os.environ.get("MERCADOPAGO_WEBHOOK_SECRET", "")
MERCADOPAGO_BASE_URL = os.environ.get("MERCADOPAGO_BASE_URL", "https://api.mercadopago.com")

UNICORN = {"CACHE_ALIAS": "default", "SERIAL": {"ENABLED": False}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_refusals": {"()": "config.log_filters.OneLineRefusals"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
