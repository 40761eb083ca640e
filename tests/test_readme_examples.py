"""The README's index, stats and remove examples run as written, in order, on a fresh copy of
the repository's own folders (corpus/, seeds/), with the quick start's index first.  Examples
for a Solr cluster (``--solr``, ``--engine solr``) need a server and are left to the Solr tests."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

from .conftest import REPO

COMMANDS = ("index", "stats", "remove")


def readme_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if re.match(rf"newsindex ({'|'.join(COMMANDS)})\b", line) and not re.search(r"--solr|--engine solr", line):
                lines.append(line.split("  #")[0].strip())
    return lines


def test_the_readme_has_examples_of_each_command():
    examples = readme_examples()
    for command in COMMANDS:
        assert any(line.startswith(f"newsindex {command}") for line in examples), command


def test_readme_examples_run_as_written(tmp_path):
    for folder in ("corpus", "seeds"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("NEWSINDEX_INDEX", None)
    quick_start = ["newsindex index corpus seeds --index demo-index"]
    for line in quick_start + readme_examples():
        argv = shlex.split(line)
        result = subprocess.run(
            [sys.executable, "-m", "newsindex", *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{line}\n{result.stdout[-500:]}{result.stderr[-500:]}"
