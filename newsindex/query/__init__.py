"""Stage 5, search: a query in, ranked hits out, through the chosen engine.

The query language is Whoosh's (words, "phrases", -exclude, NOT, OR,
parentheses, wildcards, ``term~`` fuzzy) with our field names: ``title:``,
``author:``, ``source:``, ``section:`` and ``date:`` (``date:2019-03``,
``date:[2019-03-01 TO 2019-03-31]``).  Every word must match by default; when
nothing does, the query is relaxed to rank documents with most of the words
first, and the result says so.  Near-duplicates (the same wire story at
several outlets) fold into one hit with a count, unless asked for.

What a search asks for (``SearchOptions``) and what it returns
(``SearchResult``) are the same for every engine; how it is done is the
engine's (``newsindex.engine.whoosh.searching`` for the embedded one).
"""

from __future__ import annotations

import os

from ..engine import DEFAULT_ENGINE, open_engine
from ..models import Article, SearchResult
from .options import GROUPS, QueryError, SearchOptions

__all__ = ["GROUPS", "QueryError", "SearchOptions", "article", "search", "similar"]


def search(
    text: str,
    index: str | os.PathLike[str] | None = None,
    options: SearchOptions | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
) -> SearchResult:
    """Run a query against an index (for Whoosh, the index directory)."""
    return open_engine(engine, index).search(text, options)


def similar(
    handle: str, index: str | os.PathLike[str] | None = None, limit: int = 10, *, engine: str = DEFAULT_ENGINE
) -> SearchResult | None:
    """Articles most like the one with id ``handle`` ("more like this"); None when there is none."""
    return open_engine(engine, index).similar(handle, limit)


def article(
    handle: str, index: str | os.PathLike[str] | None = None, *, engine: str = DEFAULT_ENGINE
) -> Article | None:
    """One indexed article by short id, full id or path; None when there is none."""
    return open_engine(engine, index).article(handle)
