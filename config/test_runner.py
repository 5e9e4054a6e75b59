"""`python manage.py test` runs the pytest suite (settings.TEST_RUNNER).

The suite is written for pytest and pytest-django, so Django's own runner would find no
tests. This runner hands the labels and the usual options to pytest and returns its exit
code (non-zero makes `manage.py test` exit 1).

pytest runs in a child process: `manage.py` has already loaded the production settings in
this one, and the suite needs the test settings named in pyproject.toml
(`config.settings_test`), which read the same environment (`DATABASE_URL`, ...). So
`manage.py test` runs exactly what `uv run pytest` runs.

Labels may be pytest node ids and paths (`raffles/tests/test_models.py::test_x`) or Django's
dotted labels (`raffles`, `raffles.tests.test_models`, `raffles.tests.test_models.test_x`).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class PytestRunner:
    """Django test runner that delegates to pytest."""

    def __init__(
        self,
        verbosity: int = 1,
        failfast: bool = False,
        test_name_patterns: list[str] | None = None,
        tags: list[str] | None = None,
        exclude_tags: list[str] | None = None,
        pytest_args: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.verbosity = verbosity
        self.failfast = failfast
        self.test_name_patterns = test_name_patterns or []
        self.tags = tags or []
        self.exclude_tags = exclude_tags or []
        self.pytest_args = pytest_args or []

    @classmethod
    def add_arguments(cls, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--failfast",
            action="store_true",
            help="Stop at the first failure (pytest -x).",
        )
        parser.add_argument(
            "-k",
            action="append",
            dest="test_name_patterns",
            help="Only tests whose name matches this pytest -k expression; repeat to add.",
        )
        parser.add_argument(
            "--tag",
            action="append",
            dest="tags",
            help="Only tests with this pytest marker (e.g. slow); repeat to add.",
        )
        parser.add_argument(
            "--exclude-tag",
            action="append",
            dest="exclude_tags",
            help="Leave out tests with this pytest marker (e.g. browser); repeat to add.",
        )
        parser.add_argument(
            "--pytest-args",
            action="append",
            type=shlex.split,
            default=[],
            help='More arguments for pytest, as one string (e.g. "--lf -p no:randomly").',
        )

    def pytest_argv(self, test_labels: list[str] | tuple[str, ...]) -> list[str]:
        argv: list[str] = []
        if self.verbosity == 0:
            argv.append("-q")
        elif self.verbosity >= 2:
            argv.append("-" + "v" * (self.verbosity - 1))
        if self.failfast:
            argv.append("-x")
        if self.test_name_patterns:
            argv += ["-k", " or ".join(f"({p})" for p in self.test_name_patterns)]
        markers = [f"({' or '.join(self.tags)})"] if self.tags else []
        markers += [f"not {tag}" for tag in self.exclude_tags]
        if markers:
            argv += ["-m", " and ".join(markers)]
        for extra in self.pytest_args:
            argv += extra
        argv += [node_id(label) for label in test_labels]
        return argv

    def run_tests(self, test_labels: list[str] | tuple[str, ...], **kwargs: Any) -> int:
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        command = [sys.executable, "-m", "pytest", *self.pytest_argv(test_labels)]
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603


def node_id(label: str) -> str:
    """A pytest node id for a Django dotted label; paths and node ids pass unchanged."""
    if "/" in label or "::" in label or label.endswith(".py") or (ROOT / label).exists():
        return label
    parts = label.split(".")
    for end in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:end])
        rest = parts[end:]
        if base.with_suffix(".py").is_file():
            return "::".join([str(base.with_suffix(".py").relative_to(ROOT)), *rest])
        if base.is_dir() and not rest:
            return str(base.relative_to(ROOT))
    return label
