"""`python manage.py test` runs the pytest suite and fails when a test fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.test_runner import PytestRunner, node_id
from config.tests.subprocess_env import ROOT, project_env, run_manage


def _passed(output: str) -> int:
    found = re.search(r"(\d+) passed", output)
    return int(found.group(1)) if found else 0


def test_manage_py_test_runs_the_selected_tests(tmp_path: Path) -> None:
    result = run_manage(project_env(tmp_path), "test", "config/tests/test_api_urls.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _passed(result.stdout) > 0, result.stdout


def test_manage_py_test_exits_non_zero_when_a_test_fails(tmp_path: Path) -> None:
    failing = tmp_path / "test_fails.py"
    failing.write_text("def test_fails():\n    assert 1 == 2\n")
    result = run_manage(
        project_env(tmp_path),
        "test",
        str(failing),
        "--pytest-args",
        f"-c {ROOT / 'pyproject.toml'}",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout


def test_manage_py_test_exits_non_zero_when_nothing_is_selected(tmp_path: Path) -> None:
    result = run_manage(
        project_env(tmp_path), "test", "config/tests/test_api_urls.py", "-k", "no_such_test"
    )
    assert result.returncode == 1, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("config/tests/test_api_urls.py", "config/tests/test_api_urls.py"),
        ("config/tests/test_api_urls.py::test_x", "config/tests/test_api_urls.py::test_x"),
        ("config", "config"),
        ("config.tests", "config/tests"),
        ("config.tests.test_api_urls", "config/tests/test_api_urls.py"),
        ("config.tests.test_api_urls.test_x", "config/tests/test_api_urls.py::test_x"),
        ("config.tests.test_api_urls.Case.test_x", "config/tests/test_api_urls.py::Case::test_x"),
    ],
)
def test_django_labels_become_pytest_node_ids(label: str, expected: str) -> None:
    assert node_id(label) == expected


def test_django_options_become_pytest_options() -> None:
    runner = PytestRunner(
        verbosity=2,
        failfast=True,
        test_name_patterns=["grid", "order"],
        tags=["slow"],
        exclude_tags=["browser"],
        pytest_args=[["--lf"]],
    )
    assert runner.pytest_argv(["raffles"]) == [
        "-v",
        "-x",
        "-k",
        "(grid) or (order)",
        "-m",
        "(slow) and not browser",
        "--lf",
        "raffles",
    ]
    assert PytestRunner(verbosity=0).pytest_argv([]) == ["-q"]
    assert PytestRunner(verbosity=1).pytest_argv([]) == []
