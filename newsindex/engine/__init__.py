"""Index engines: where articles are stored and how they are searched.

Every command and the library reach an index through one small interface,
``Engine``, chosen by name (``open_engine("whoosh", "demo-index")``; the CLI's
``--engine``).  Whoosh, embedded in an index directory, is the default and the
first implementation (``engine.whoosh``, the only code that imports Whoosh);
``engine.solr`` keeps the index in a SolrCloud collection (``--engine solr
--solr URL``), for archives beyond one machine.

An engine takes and returns the pipeline's plain records: ``IngestOptions``
in, an ``IndexReport`` out of ``index``; ``SearchOptions`` in, a
``SearchResult`` of ``Hit``\\ s out of ``search`` and ``similar``; an
``Article`` out of ``article``; a plain dict out of ``stats``.  Rendering is
the same whatever the engine.

Why the writing side is ``index(paths)``, the whole incremental build, and not
add/remove/commit of single articles: the embedded engine is fast because
worker processes each read, clean and analyse their share of a batch and
write a Whoosh segment themselves, while the main process decides which
files changed and which articles duplicate one another, and a run is
published as a whole new generation (crash safety).  Feeding articles one by
one through a writer in the main process would undo all three.  A server
engine (Solr) has the reverse needs (batches over HTTP, its own commit and
replication), and does its own feeding with the same read, extract and clean
stages (``newsindex.ingest``).  So each engine owns its build, and what is
shared is the pipeline before it and the records after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module

from .. import lazy_attributes

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a search process need not)
if TYPE_CHECKING:
    from .protocol import Engine

#: ``Engine``, the protocol, is defined in ``protocol`` (it imports ``typing``) and imported on first use.
__getattr__ = lazy_attributes(__name__, {"Engine": "newsindex.engine.protocol"})

DEFAULT_ENGINE = "whoosh"

#: Engine name -> ``"module:Class"``, imported only when chosen, so a command
#: never pays for another engine's imports.  An engine registers itself here.
ENGINES: dict[str, str] = {
    "whoosh": "newsindex.engine.whoosh.engine:WhooshEngine",
    "solr": "newsindex.engine.solr:SolrEngine",
}

#: ``progress(done, total)``: called as files are done; ``total`` (the files under the
#: paths) is known from the first call.
ProgressFn = Callable[[int, int], None]


class IndexProblem(Exception):
    """The index cannot be used as asked; the message says why and what to do."""


class IndexLocked(IndexProblem):
    """Another process is writing the index."""


class IndexInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; the message says what it left (the previous index, or none)."""


def open_engine(name: str | None = None, location: str | os.PathLike[str] | None = None, **settings) -> Engine:
    """The engine called ``name`` (default ``DEFAULT_ENGINE``) on the index at ``location``.

    ``location`` is what the engine understands: an index directory for
    Whoosh (None: ``$NEWSINDEX_INDEX`` or the default directory).  Other
    keyword settings go to the engine (Whoosh: ``workers``).
    """
    name = name or DEFAULT_ENGINE
    target = ENGINES.get(name)
    if target is None:
        raise IndexProblem(f"unknown engine {name!r} (choose from {', '.join(sorted(ENGINES))})")
    module, _, class_name = target.partition(":")
    return getattr(import_module(module), class_name)(location, **settings)
