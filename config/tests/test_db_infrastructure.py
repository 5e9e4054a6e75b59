"""config.db is database infrastructure: it knows nothing of the project's apps, so raffles may
use it without depending on anything above it."""

from __future__ import annotations

import ast
from pathlib import Path

import config.db

ALLOWED = ("__future__", "django", "config.db")


def test_config_db_imports_only_the_standard_library_django_and_itself():
    folder = Path(config.db.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top not in {"raffles", "messaging", "portal"}, (path.name, name)
                if top == "config":
                    assert name.startswith("config.db"), (path.name, name)
