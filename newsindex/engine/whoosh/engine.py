"""The Whoosh engine: an index embedded in a directory of generations.

Each operation imports only what it needs, so ``newsindex search`` does not
load the indexer, nor ``newsindex index`` the search code.  ``search`` and
``article`` try the direct reader first (``direct``: the index files read
without importing Whoosh), which takes the common requests and hands anything
else to the Whoosh path before Whoosh is imported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from . import _import_whoosh_lightly
from .location import default_index_dir

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a search process need not)
if TYPE_CHECKING:  # names for the signatures only: importing them would load the whole pipeline
    from ...index.report import IndexReport
    from ...ingest import IngestOptions
    from ...models import Article, SearchResult
    from ...query.options import SearchOptions
    from .. import ProgressFn


def _direct_allowed() -> bool:
    """Whether the direct reader may answer (``NEWSINDEX_DIRECT=0`` turns it off: a check, and
    the tests' way to run the Whoosh path on the same request)."""
    return os.environ.get("NEWSINDEX_DIRECT", "1") != "0"


def _direct_fallbacks() -> tuple[type[BaseException], ...]:
    """What sends a request from the direct reader to the Whoosh path: a request or an index it
    does not take, or files it cannot read (the Whoosh path then says what is wrong)."""
    import struct
    import zlib

    from .direct import DirectUnsupported, UnpicklingError

    return (
        DirectUnsupported,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        EOFError,
        struct.error,
        zlib.error,
        UnpicklingError,
    )


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
        from ...query.options import SearchOptions

        options = options or SearchOptions()
        if _direct_allowed():
            from .direct import search as direct

            if direct.plain_words(text, options) is not None:
                try:
                    return direct.search(text, self.index_dir, options)
                except _direct_fallbacks():
                    pass  # the Whoosh path answers, and reports any problem with the index
        _import_whoosh_lightly()
        from .searching import search

        return search(text, self.index_dir, options)

    def article(self, handle: str) -> Article | None:
        if _direct_allowed():
            from .direct.article import find_article

            try:
                return find_article(self.index_dir, handle)
            except _direct_fallbacks():
                pass
        _import_whoosh_lightly()
        from .articles import find_by_short_id, stored_article

        stored = find_by_short_id(self.index_dir, handle)
        return stored_article(stored) if stored is not None else None

    def similar(self, handle: str, limit: int = 10) -> SearchResult | None:
        _import_whoosh_lightly()
        from .searching import similar

        return similar(handle, self.index_dir, limit)

    def remove(self, paths: Sequence[str | os.PathLike[str]]) -> IndexReport:
        """Drop the indexed files under ``paths`` (see ``newsindex.index.remove``)."""
        from ...index.remove import remove_from_index

        return remove_from_index(paths, self.index_dir)

    def stats(self) -> dict:
        from .stats import index_stats  # Whoosh only for an index without a summary (store lightens it)

        return index_stats(self.index_dir)

    def close(self) -> None:
        """Nothing to release: searchers are shared per generation and closed with it."""
