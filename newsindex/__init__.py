"""newsindex: clean, index and search archives of scraped news.

The pipeline, one stage after another::

    read -> extract -> clean -> index -> search (``newsindex.query``) -> render

Library use::

    from newsindex import build_index, search, extract_file
    build_index(["corpus/"], "demo-index")
    for hit in search("port strike", "demo-index").hits:
        print(hit.title, hit.published)

No submodule is named like a name exported here (the search stage is
``newsindex.query``, not ``newsindex.search``): importing a submodule binds
its name on the package, and would shadow the function of the same name.
"""

from __future__ import annotations

import sys
from importlib import import_module

__version__ = "0.1.0"

#: Each public name and the module that defines it.  They are imported on first
#: use, so ``import newsindex`` stays cheap for the CLI's fast paths.
_HOMES = {
    "build_index": "newsindex.index.run",
    "extract_file": "newsindex.ingest",
    "iter_articles": "newsindex.ingest",
    "IngestOptions": "newsindex.ingest",
    "search": "newsindex.query",
    "SearchOptions": "newsindex.query",
    "open_engine": "newsindex.engine",
}

__all__ = sorted(_HOMES)


def lazy_attributes(package: str, homes: dict[str, str]):
    """A module ``__getattr__`` (PEP 562) for ``package``: each name in ``homes`` is
    imported from the module named beside it on first use, then kept in the package."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str):
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        namespace[name] = value
        return value

    return __getattr__


__getattr__ = lazy_attributes(__name__, _HOMES)
