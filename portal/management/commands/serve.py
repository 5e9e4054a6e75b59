"""`manage.py serve`: the whole app in one command.

Migrates, prepares the cache table (and static files in production), then runs the
django-q2 cluster and gunicorn as child processes until Ctrl-C or SIGTERM. `--demo` also
loads the demo raffles and a staff account.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.management.supervisor import Supervisor

DEMO_USERNAME = "staff"
DEMO_DEFAULT_PASSWORD = "raffles-demo"  # noqa: S105 - printed on purpose; DEBUG only
STOP_TIMEOUT = 20.0  # seconds a child has to exit after SIGTERM before it is killed


class Command(BaseCommand):
    help = (
        "Migrate, then run the task cluster (qcluster) and gunicorn until Ctrl-C or SIGTERM. "
        "--demo also loads demo raffles and a staff login."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to bind (8000).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2).")
        parser.add_argument(
            "--demo", action="store_true", help="Load demo raffles and a staff account."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers = options["host"], options["port"], options["workers"]
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if _accepts_connections(host, port):
            raise CommandError(f"{host}:{port} is already in use: choose another --port")
        demo_password = self._demo_password() if options["demo"] else None

        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity)
        call_command("createcachetable", verbosity=verbosity)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=verbosity)
        if demo_password is not None:
            call_command("load_demo", verbosity=verbosity)
            ensure_demo_staff(DEMO_USERNAME, demo_password)

        supervisor = Supervisor(
            cwd=Path(settings.BASE_DIR),
            env=_child_env(),
            log=self.stderr.write,
            stop_timeout=STOP_TIMEOUT,
        )
        supervisor.start("tasks", [sys.executable, "manage.py", "qcluster"])
        supervisor.start("web", _gunicorn_command(host, port, workers))
        failure = supervisor.run(
            ready=lambda: _accepts_connections(host, port),
            on_ready=lambda: self._announce(host, port, demo_password),
        )
        if failure:
            raise CommandError(f"{failure}; stopped the rest", returncode=1)

    def _demo_password(self) -> str:
        password = os.environ.get("DEMO_PASSWORD", "")
        if not password and not settings.DEBUG:
            raise CommandError(
                "DEMO_PASSWORD is not set: with DEBUG=false, --demo needs a password of your own"
            )
        return password or DEMO_DEFAULT_PASSWORD

    def _announce(self, host: str, port: int, demo_password: str | None) -> None:
        url = f"http://{_display_host(host)}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"Raffle Backoffice is running at {url}"))
        self.stdout.write(f"  staff portal {url}portal/   API docs {url}api/docs")
        if demo_password is not None:
            self.stdout.write(f"  demo login: username {DEMO_USERNAME}, password {demo_password}")
        if settings.WHATSAPP_SANDBOX:
            self.stdout.write(
                "  WhatsApp runs in sandbox mode: no credentials are set, so outbound messages "
                "are recorded but never sent."
            )
        self.stdout.write("  Press Ctrl-C to stop.")
        self.stdout.flush()


def _child_env() -> dict[str, str]:
    """This process's environment (`.env` already read into it), for every child."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        "PYTHONUNBUFFERED": "1",
    }
    if not env.get("SECRET_KEY"):
        # Development makes up a key per process: share this one, or a session signed by
        # one gunicorn worker would be rejected by the next.
        env["SECRET_KEY"] = settings.SECRET_KEY
    return env


def _gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--graceful-timeout",
        str(int(STOP_TIMEOUT / 2)),
        "--access-logfile",
        "-",
        # gunicorn's control socket has one default path per user: two servers would clash.
        "--no-control-socket",
        # A worker dies with its master (nothing keeps the port if the master is killed).
        "--config",
        "python:config.gunicorn_hooks",
    ]


def _display_host(host: str) -> str:
    if host in {"", "0.0.0.0"}:  # noqa: S104 - only shown, not bound
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _accepts_connections(host: str, port: int) -> bool:
    target = _display_host(host).strip("[]")
    try:
        with socket.create_connection((target, port), timeout=0.2):
            return True
    except OSError:
        return False


def ensure_demo_staff(username: str, password: str) -> None:
    """Create (or reset) the demo staff account, so the printed login always works."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    user.set_password(password)
    user.save()
