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
"""
