"""The learned boilerplate a generation keeps (learned.json)."""

from __future__ import annotations

import json
from pathlib import Path

from ..clean.learned import LearnedBoilerplate


def _load_learned(path: Path) -> LearnedBoilerplate:
    try:
        return LearnedBoilerplate.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return LearnedBoilerplate()
