"""Stage 4, index: a crash-safe, incremental, parallel Whoosh index of articles.

Layout of an index directory::

    DIR/CURRENT        name of the committed generation (replaced atomically)
    DIR/LOCK           held by the one running writer
    DIR/gen-000007/    a whole Whoosh index + manifest.sqlite + learned.json + info.json
                       + neighbours.bin (the near-duplicate graph, store.NEIGHBOURS_FILE)

Whoosh commits are not atomic across files, so a run never writes into the
committed generation: it hard-links that generation's files into a new
directory (Whoosh never rewrites a file in place; the manifest, a database
that is changed in place, is copied), writes and commits there, fsyncs, and
only then points ``CURRENT`` at it with an atomic rename.  A kill at any
moment leaves ``CURRENT`` naming a whole index; leftovers of the dead run are
cleared by the next one.  Searchers open whatever ``CURRENT`` names, so they
keep working while a run is in progress.

A run, in batches of files (``BATCH_SIZE``) taken from the walk as it goes:

1. worker processes read and extract their share of the batch (and hash
   each file) and send back what the main process needs to decide: each
   article's id, duplicate key, source and learned-boilerplate keys;
2. the main process forgets the old versions of changed files from the
   learned boilerplate, observes the whole batch, decides which articles are
   new documents and which duplicate an existing one, and records it all in
   the manifest;
3. the workers clean the chosen articles with the batch's learned counts,
   sketch and analyse them, and add them to an in-memory Whoosh segment that
   each writes to disk itself (``segment.SegmentBuilder``) when it grows
   large or the run ends.

While the main process does step 2 for one batch, the workers clean the
previous batch and extract the next.  Files gone from the given paths are
removed when the walk is over.  The new segments are then committed with
Whoosh's writer, deletions and rewritten duplicates are applied, and the
document count is checked against the manifest: a lost document fails the
run loudly and leaves the previous index in place.  Last, the near-duplicate
graph is brought up to date: only the buckets of the documents the run added,
removed or moved are relinked (``engine.whoosh.neargraph``; a first run builds
it from the sketch column), and it is written beside the index, aligned with
its document numbers.  A run that finds nothing changed writes no generation
at all.  ``watch`` runs the same machinery on the paths that changed.

Byte-identical articles (same title, paragraphs and metadata; see
``dup_key``) are one document.  Its stored ``paths`` lists the ids of every
copy when there are several, and the manifest maps each copy to the
document, so removing or changing one copy keeps the others findable.

Modules: ``run`` (``build_index`` and the run), ``scan`` (the walk),
``manifest`` (files, articles, documents; the decisions on a batch), ``pool``
(worker processes), ``commit``, ``generations`` (lock, publishing),
``documents`` (an article's stored fields), ``dedup`` (near-duplicate
sketches and graph), ``limits`` (batch and segment sizes), ``report``.

The names below are imported on first use, so that importing
``newsindex.index.dedup`` (as the search stage does) stays cheap.
"""

from __future__ import annotations

from .. import lazy_attributes

_HOMES = {
    "build_index": "newsindex.index.run",
    "remove_from_index": "newsindex.index.remove",
    "IndexReport": "newsindex.index.report",
    "IndexProblem": "newsindex.engine",
    "IndexLocked": "newsindex.engine",
    # The read side, as ``newsindex.index`` offered it before the stage packages.
    "FORMAT_VERSION": "newsindex.engine.whoosh.store",
    "INDEX_NAME": "newsindex.engine.whoosh.store",
    "current_generation": "newsindex.engine.whoosh.store",
    "default_index_dir": "newsindex.engine.whoosh.store",
    "index_disk_size": "newsindex.engine.whoosh.store",
    "make_schema": "newsindex.engine.whoosh.store",
    "open_index": "newsindex.engine.whoosh.store",
    "short_id": "newsindex.engine.whoosh.store",
}

__all__ = sorted(_HOMES)


__getattr__ = lazy_attributes(__name__, _HOMES)
