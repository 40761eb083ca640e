"""Rules that are data: phrase lists, formats, names.  Read them through here.

Every file is UTF-8 text; blank lines and lines starting with ``#`` are
comments.  Some files group their lines under ``[section]`` headings.
"""

from __future__ import annotations

from pathlib import Path

#: The data files ship inside the package, next to this module (``package_data``
#: in setup.cfg).  Read as plain files: ``importlib.resources`` imports
#: ``tempfile`` and ``shutil``, a tenth of a search process's start-up.
DATA_DIR = Path(__file__).resolve().parent


def data_text(name: str) -> str:
    """The whole text of a shipped data file."""
    return (DATA_DIR / name).read_text(encoding="utf-8")


def data_lines(name: str) -> list[str]:
    """The stripped, non-comment lines of a shipped data file."""
    text = data_text(name)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def data_sections(name: str, first: str) -> dict[str, list[str]]:
    """Lines grouped by ``[section]`` heading; lines before any heading go to ``first``."""
    groups: dict[str, list[str]] = {first: []}
    current = first
    for line in data_lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            groups.setdefault(current, [])
            continue
        groups.setdefault(current, []).append(line)
    return groups
