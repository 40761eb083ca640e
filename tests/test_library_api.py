"""The library API as the README and the package docstring promise it, in fresh processes."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import newsindex

from .conftest import REPO


def _python(code: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", newsindex.__all__)
def test_each_public_name_imports_alone_in_a_fresh_process(name):
    done = _python(f"from newsindex import {name}; print(type({name}).__name__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in {"function", "type"}


def test_all_public_names_import_together_and_are_not_modules():
    names = ", ".join(newsindex.__all__)
    done = _python(
        f"from newsindex import {names}; import types; print(any(isinstance(x, types.ModuleType) for x in ({names},)))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_importing_the_package_loads_no_stage():
    done = _python("import sys, newsindex; print(sorted(m for m in sys.modules if m.startswith('newsindex.')))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _readme_python_blocks() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", readme, flags=re.S)


def test_the_readme_has_python_examples():
    assert _readme_python_blocks()


@pytest.mark.parametrize("block", _readme_python_blocks())
def test_each_readme_python_block_runs_as_written(block, tmp_path):
    # The examples name the repository's own folders; run them from a copy of the
    # checkout's layout so the demo index they write lands in a temporary folder.
    (tmp_path / "corpus").symlink_to(REPO / "corpus")
    (tmp_path / "seeds").symlink_to(REPO / "seeds")
    done = _python(block, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
