"""The Whoosh engine: the index embedded in a directory of generations.

``engine.WhooshEngine`` is the ``newsindex.engine.Engine`` the rest of the
package uses; the modules behind it are the only ones that import Whoosh:

- the store: ``store`` (schema, locating and opening a generation, columns),
  ``analysis`` (tokens, folding, stemming), ``stats``;
- writing: ``segment`` with ``segment_format`` and ``segment_files`` (the fast
  segment builder the indexing workers use), ``commit`` (segments into a
  generation, merges, the count check);
- searching: ``searching`` (``search``, ``similar``, one article), ``parsing``
  (the query language), ``filters``, ``weighting`` (BM25F), ``matching`` (flat
  matchers), ``feedback`` (RM3), ``results`` (collecting, folding, facets),
  ``snippets``, ``spelling`` (did you mean).

Importing this package imports Whoosh first, with three of Whoosh's own
imports deferred (``_import_whoosh_lightly``): a search is a whole process
start, and those three are a third of its imports while a search never uses
them.
"""

from __future__ import annotations

import functools
import sys
import types


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str):
    from whoosh.lang.morph_en import variations

    return variations(word)


#: Module -> the names Whoosh imports from it, standing in until first use.
#: ``whoosh.compat`` imports ``urllib.request`` (HTTP, e-mail parsing and SSL)
#: for a download helper; ``whoosh.reading`` imports the ``cached_property``
#: package, which imports asyncio, for one cached attribute that
#: ``functools.cached_property`` serves the same way; ``whoosh.query.terms``
#: loads English morphology tables for the ``Variations`` query, which our
#: query parser never builds.
_DEFERRED = {
    "urllib.request": {"urlretrieve": _urlretrieve},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _variations},
}


def _import_whoosh_lightly() -> None:
    """Import the Whoosh modules that pull in ``_DEFERRED`` with stand-ins for those.

    The stand-ins are only in ``sys.modules`` during these imports: whoever
    imports one of the real modules afterwards gets the real module.  Where a
    module was imported already, or Whoosh was, nothing is replaced.
    """
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {}
    for name, attributes in _DEFERRED.items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attributes)
            stand_ins[name] = module
    sys.modules.update(stand_ins)
    try:
        import whoosh.compat
        import whoosh.query
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


_import_whoosh_lightly()
