"""newsindex: clean, index and search archives of scraped news.

The pipeline, one module per stage::

    read -> extract -> clean -> index -> search -> render

Library use::

    from newsindex import build_index, search, extract_file
    build_index(["corpus/"], "demo-index")
    for hit in search("port strike", "demo-index").hits:
        print(hit.title, hit.published)
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["IngestOptions", "SearchOptions", "build_index", "extract_file", "iter_articles", "search"]


def __getattr__(name: str):
    # Lazy, so `import newsindex` stays cheap for the CLI's fast paths.
    if name in ("build_index",):
        from .index import build_index

        return build_index
    if name in ("extract_file", "iter_articles", "IngestOptions"):
        from . import ingest

        return getattr(ingest, name)
    if name in ("search", "SearchOptions"):
        from . import search as search_module

        return getattr(search_module, name)
    raise AttributeError(name)
