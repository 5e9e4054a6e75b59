"""A fresh, empty database for one benchmark run: a temporary SQLite file, or a PostgreSQL
database created (and dropped after) through BENCH_PG_ADMIN_URL
(default postgres://postgres@127.0.0.1:5432/postgres)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def prepare_database(kind: str, name: str) -> tuple[str, Callable[[], None]]:
    """(DATABASE_URL, cleanup). The cleanup first closes this process's Django connections,
    if it has any, so PostgreSQL can drop the database."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"{name}-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, True)

    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name}")

    def drop() -> None:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", drop
