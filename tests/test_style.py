import os
import subprocess
import sys

import pytest

from .conftest import REPO, skip_unless_ci


def _ruff_missing() -> bool:
    probe = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True)
    return probe.returncode != 0


def test_code_is_ruff_clean():
    # ruff from this interpreter's environment: the README's test command runs the
    # venv's python without activating the venv, so ruff is not on PATH there.
    if _ruff_missing():
        skip_unless_ci("ruff not installed (pip install '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "newsindex", "tests", "bench"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_style_check_runs_without_ruff_on_path(tmp_path):
    """The README's test command runs `.venv/bin/python -m pytest` with the venv not
    activated: the style check must run (pass), not skip, with no ruff on PATH."""
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_style.py::test_code_is_ruff_clean",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    assert "1 passed" in result.stdout, result.stdout[-2000:]


def test_a_skip_fails_on_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="ruff"):
        skip_unless_ci("ruff not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        skip_unless_ci("ruff not installed")
