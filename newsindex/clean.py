"""Stage 3, clean: remove scraped boilerplate from a Draft's paragraphs.

PLACEHOLDER: the cleaning helper replaces this file with the real cleaner.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .models import Draft, Removal


class Rules:
    pass


def load_rules(extra_files: Sequence[str | Path] = ()) -> Rules:
    return Rules()


class LearnedBoilerplate:
    def __init__(self) -> None:
        self.counts: dict = {}

    def observe(self, source: str | None, paragraphs: Sequence[str]) -> None:
        pass

    def to_dict(self) -> dict:
        return {}

    @classmethod
    def from_dict(cls, data: dict) -> LearnedBoilerplate:
        return cls()


def clean(
    draft: Draft, *, rules: Rules | None = None, learned: LearnedBoilerplate | None = None
) -> tuple[list[str], list[Removal]]:
    kept, removed = [], []
    for p in draft.paragraphs:
        if p.strip().lower() == draft.title.strip().lower():
            removed.append(Removal(p, "structure:repeated-title"))
        else:
            kept.append(p)
    return kept, removed
