"""The Whoosh engine: the index embedded in a directory of generations.

``engine.WhooshEngine`` is the ``newsindex.engine.Engine`` the rest of the
package uses; the modules behind it are the only ones that import Whoosh:

- the store: ``store`` (schema, locating and opening a generation, columns),
  ``analysis`` (tokens, folding, stemming), ``stats``;
- writing: ``segment`` with ``segment_format`` and ``segment_files`` (the fast
  segment builder the indexing workers use), ``commit`` (segments into a
  generation, merges, the count check);
- searching: ``searching`` (``search``, ``similar``), ``articles`` (one article), ``parsing``
  (the query language), ``filters``, ``weighting`` (BM25F), ``matching`` (flat
  matchers), ``feedback`` (RM3), ``results`` (collecting, folding, facets),
  ``snippets``, ``spelling`` (did you mean).

- the direct reader: ``direct`` reads the same files without Whoosh, for the
  searches most people type (plain words) and ``show``: a search is a whole
  process start, and Whoosh's imports alone were 4.7 times a bare Python start.
  It shares with the rest ``location`` (where an index lives), ``tokens`` (the
  analysis steps, no Whoosh module: the stemmer is PyStemmer's) and ``bm25`` (the
  formula and parameters).

Importing this package imports no Whoosh.  ``store`` (and so everything that
reads through Whoosh) first calls ``_import_whoosh_lightly``, which imports
Whoosh's reading side with some of Whoosh's own imports deferred
(``_DEFERRED``): modules a search never uses.
"""

from __future__ import annotations

import functools
import sys

from ...deferring import import_with_stand_ins, real


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str):
    from whoosh.lang.morph_en import variations

    return variations(word)


def _md5(*args, **kwargs):
    return real("hashlib").md5(*args, **kwargs)


def _copyfileobj(*args, **kwargs):
    return real("shutil").copyfileobj(*args, **kwargs)


def _html_escape(text: str, quote: bool = True) -> str:
    return real("html").escape(text, quote)


#: Module -> the names Whoosh imports from it, standing in until first use; None: the module
#: is imported whole and used only inside functions (``deferring.import_with_stand_ins``).
#: ``whoosh.compat`` imports ``urllib.request`` (HTTP, e-mail parsing and SSL) for a download
#: helper, ``queue`` for multiprocessing writers and ``html`` for highlighting; ``whoosh.reading``
#: imports the ``cached_property`` package, which imports asyncio, for one cached attribute that
#: ``functools.cached_property`` serves the same way; ``whoosh.query.terms`` loads English
#: morphology tables for the ``Variations`` query, which our query parser never builds;
#: ``whoosh.filedb.filetables`` imports hashlib (OpenSSL) for the MD5 hash of tables that
#: Whoosh's own writer makes (ours use CRC-32), ``whoosh.filedb.filestore`` tempfile for
#: temporary storage, ``whoosh.filedb.compound`` shutil (with bz2, lzma) to write compound
#: files, ``whoosh.util.times`` calendar for date arithmetic: a search uses none of them.
#: ``whoosh.searching`` imports the modules of "more like this" and highlighting, which only
#: ``similar`` and a search through Whoosh's own collector (an any-query) use.
_DEFERRED: dict[str, dict[str, object] | None] = {
    "urllib.request": {"urlretrieve": _urlretrieve},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _variations},
    "hashlib": {"md5": _md5},
    "html": {"escape": _html_escape},
    "shutil": {"copyfileobj": _copyfileobj},
    "queue": None,
    "tempfile": None,
    "calendar": None,
    "whoosh.classify": None,
    "whoosh.highlight": None,
}


def _import_whoosh_lightly() -> None:
    """Import Whoosh's reading side with ``_DEFERRED`` standing in (unless it is imported already)."""
    if "whoosh.reading" in sys.modules:
        return
    import_with_stand_ins(
        ["whoosh.codec.whoosh3", "whoosh.compat", "whoosh.query", "whoosh.reading", "whoosh.searching"], _DEFERRED
    )
