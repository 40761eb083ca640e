"""The learned boilerplate a generation keeps (learned.json), and the part of it one batch's workers need."""

from __future__ import annotations

import json
from pathlib import Path

from ..clean.learned import LearnedBoilerplate


def _load_learned(path: Path) -> LearnedBoilerplate:
    try:
        return LearnedBoilerplate.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return LearnedBoilerplate()


def _learned_subset(learned: LearnedBoilerplate, sources: set[str | None]) -> dict:
    """The learned counts of the sources a worker will clean (all the cleaner reads)."""
    return learned.to_dict(sources)
