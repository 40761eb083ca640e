"""The Whoosh engine: an index embedded in a directory of generations.

Each operation imports only what it needs, so ``newsindex search`` does not
load the indexer, nor ``newsindex index`` the search code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .store import default_index_dir

if TYPE_CHECKING:  # names for the signatures only: importing them would load the whole pipeline
    from ...index.report import IndexReport
    from ...ingest import IngestOptions
    from ...models import Article, SearchResult
    from ...query.options import SearchOptions
    from .. import ProgressFn


class WhooshEngine:
    """``newsindex.engine.Engine`` on a Whoosh index directory."""

    name = "whoosh"

    def __init__(self, location: str | os.PathLike[str] | None = None, *, workers: int | None = None) -> None:
        self.index_dir = Path(location).expanduser() if location else default_index_dir()
        self.workers = workers  # indexing processes; None: one per core

    def index(
        self,
        paths: Sequence[str | os.PathLike[str]],
        options: IngestOptions | None = None,
        *,
        rebuild: bool = False,
        progress: ProgressFn | None = None,
    ) -> IndexReport:
        from ...index.run import build_index

        return build_index(
            paths, self.index_dir, options=options, rebuild=rebuild, workers=self.workers, progress=progress
        )

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResult:
        from .searching import search

        return search(text, self.index_dir, options)

    def article(self, handle: str) -> Article | None:
        from .articles import find_by_short_id, stored_article

        stored = find_by_short_id(self.index_dir, handle)
        return stored_article(stored) if stored is not None else None

    def similar(self, handle: str, limit: int = 10) -> SearchResult | None:
        from .searching import similar

        return similar(handle, self.index_dir, limit)

    def remove(self, paths: Sequence[str | os.PathLike[str]]) -> IndexReport:
        """Drop the indexed files under ``paths`` (see ``newsindex.index.remove``)."""
        from ...index.remove import remove_from_index

        return remove_from_index(paths, self.index_dir)

    def stats(self) -> dict:
        from .stats import index_stats

        return index_stats(self.index_dir)

    def close(self) -> None:
        """Nothing to release: searchers are shared per generation and closed with it."""
