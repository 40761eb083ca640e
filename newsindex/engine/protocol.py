"""``Engine``: what the CLI and the library need of an index, whatever stores it.

A module of its own, reached as ``newsindex.engine.Engine``: a ``Protocol`` needs ``typing``,
which no search process imports otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..index.report import IndexReport
    from ..ingest import IngestOptions
    from ..models import Article, SearchResult
    from ..query.options import SearchOptions


@runtime_checkable
class Engine(Protocol):
    """What the CLI and the library need of an index, whatever stores it.

    Errors: ``IndexProblem`` (or a subclass) for an index that is missing,
    locked, unreachable or damaged; ``QueryError`` for a query that cannot be
    understood.  Messages are one line, for the user.
    """

    #: The name ``open_engine`` knows it by.
    name: str

    def index(
        self,
        paths: Sequence[str | os.PathLike[str]],
        options: IngestOptions | None = None,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,  # ProgressFn
    ) -> IndexReport:
        """Index the articles under ``paths``: new and changed files added, files gone removed.

        ``rebuild`` starts over.  Bad files are counted in the report, never fatal.
        """
        ...

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResult:
        """Ranked hits for a query in newsindex's query language, with filters, facets and paging."""
        ...

    def article(self, handle: str) -> Article | None:
        """One stored article by its short id, full id or path; None when there is none."""
        ...

    def similar(self, handle: str, limit: int = 10) -> SearchResult | None:
        """Articles most like the one ``handle`` names; None when there is no such article."""
        ...

    def stats(self) -> dict:
        """A summary: ``index``, ``generation``, ``documents``, ``undated``, ``first`` and
        ``last`` (ISO dates or None), ``sources``, ``years`` and ``months`` (name -> count),
        ``size_bytes``."""
        ...

    def close(self) -> None:
        """Release what the engine holds (connections, open files)."""
        ...
