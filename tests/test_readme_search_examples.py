"""Every search, show and similar example in the README runs as written on the demo index
(index, stats and remove examples: test_readme_examples.py).

The README says its examples run once the quick start's demo index is the default
(``NEWSINDEX_INDEX``); each is run through a shell, pipes and all, from the checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = ("search", "show", "similar")
_BLOCK_RE = re.compile(r"```sh\n(.*?)```", re.S)
_COMMAND = "newsindex (?:" + "|".join(COMMANDS) + r")\b"
_SPAN_RE = re.compile(f"`({_COMMAND}[^`]*)`")
# A short id is made from a file's full path, so the README's example of one differs per clone.
_SHORT_ID_RE = re.compile(r"\b[0-9a-f]{10}\b")


def _needs_solr(example: str) -> bool:
    """Examples of the Solr engine need a running cluster; the Solr tests cover that engine."""
    return "--solr" in example or "--engine solr" in example


def readme_examples() -> list[str]:
    examples = []
    for block in _BLOCK_RE.findall(README):
        for line in block.splitlines():
            if re.match(_COMMAND, line):
                examples.append(line.split("  #")[0].strip())
    for line in README.splitlines():
        if line.startswith("#"):
            continue  # headings name commands: `newsindex show ID`
        examples += [span for span in _SPAN_RE.findall(line) if not _SHORT_ID_RE.search(span)]
    return [example for example in dict.fromkeys(examples) if not _needs_solr(example)]


def test_the_readme_has_examples_of_each_command():
    found = readme_examples()
    for command in COMMANDS:
        assert any(example.startswith(f"newsindex {command}") for example in found), command


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    from newsindex.index import build_index

    index_dir = tmp_path_factory.mktemp("readme") / "demo-index"
    build_index([str(REPO / "corpus"), str(REPO / "seeds")], index_dir, workers=1)
    return index_dir


@pytest.mark.parametrize("example", readme_examples())
def test_readme_example_runs_and_finds_something(example, demo_index):
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "newsindex").exists():
        pytest.skip("the newsindex command is not installed beside this python")
    env = {**os.environ, "NEWSINDEX_INDEX": str(demo_index), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    command = example.replace("--index demo-index", f"--index {demo_index}")
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{example}\n{result.stdout[-500:]}\n{result.stderr[-500:]}"
    assert result.stdout.strip(), example
    assert "error" not in result.stderr, result.stderr
