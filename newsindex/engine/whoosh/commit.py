"""Committing a run: new segments into the generation's index, deletions and rewritten duplicate
groups, merging, the count check, the near-duplicate graph.
"""

from __future__ import annotations

import contextlib

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ...index import limits
from ...index.documents import _FAST_TEXT, document_fields
from ...index.generations import _checkpoint
from .lexicon import write_words
from .neargraph import graph_for, write_graph
from .segment import SegmentBuilder
from .store import INDEX_NAME, IndexProblem, short_id


def _merge_policy(writer, segments: list) -> list:
    """At most MAX_SEGMENTS segments, none empty or mostly deleted, as far as
    merging small segments allows.

    The smallest segments (and the mostly deleted ones) are rebuilt into one
    from their stored fields: faster than Whoosh's own merge, which re-sorts
    every posting through its pool.  Merging stops at the size of the largest
    segment (one a worker wrote when it reached ``SEGMENT_MEMORY``), and the
    merged postings are written whenever they reach that bound, so merging
    takes no more memory than indexing however large the index: a huge run
    keeps more than MAX_SEGMENTS full segments rather than merging them all in
    memory.
    """
    live = [s for s in segments if s.doc_count() > 0]
    merge = [s for s in live if s.deleted_count() * 2 > s.doc_count_all()]
    rest = sorted((s for s in live if s not in merge), key=lambda s: s.doc_count())
    full = max((s.doc_count_all() for s in live), default=0)
    merged_docs = sum(s.doc_count() for s in merge)
    while rest and len(rest) + (1 if merge else 0) > limits.MAX_SEGMENTS and merged_docs + rest[0].doc_count() <= full:
        merged_docs += rest[0].doc_count()
        merge.append(rest.pop(0))
    if len(merge) == 1 and not merge[0].deleted_count():
        rest.append(merge.pop())  # one segment alone gains nothing from a rewrite
    kept = [s for s in segments if s in rest]
    if not merge:
        return kept
    builder = SegmentBuilder(writer.storage.folder, writer.schema, INDEX_NAME, fast_text=_FAST_TEXT)
    merged = []
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            for _docnum, stored in reader.iter_docs():
                builder.add(document_fields(stored))
                if builder.estimated_bytes > limits.SEGMENT_MEMORY:
                    merged.append(builder.write())
        finally:
            reader.close()
    last = builder.write()
    return [*kept, *merged, last] if last is not None else [*kept, *merged]


class _Committing:
    """Committing the run's segments into the generation's index and checking it."""

    def _commit(self) -> None:
        """Add the new segments, apply deletions and rewrites, merge, and check the count."""
        written = sum(segment.doc_count_all() for segment in self.segments)
        if written != self.indexed:
            raise IndexProblem(f"indexing lost documents: {self.indexed} were added but segments hold {written}")
        storage = FileStorage(str(self.generation))
        ix = storage.open_index(INDEX_NAME)
        old_docs = ix.doc_count_all()
        if self.segments:
            writer = ix.writer()
            new_segments = list(self.segments)
            writer.commit(mergetype=lambda _writer, segments: [*segments, *new_segments])
        _checkpoint("segments-committed")
        ix = storage.open_index(INDEX_NAME)
        writer = ix.writer()
        try:
            rewrites = self._rewrite_groups(writer, old_docs)
            writer.commit(mergetype=lambda w, segments: _merge_policy(w, [*segments, *rewrites]))
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        ix = storage.open_index(INDEX_NAME)
        with ix.searcher() as searcher:
            documents = searcher.doc_count()
        expected = self.manifest.doc_count()
        if documents != expected:
            raise IndexProblem(
                f"index check failed: {documents} documents committed but {expected} expected; "
                "the previous index is unchanged"
            )
        self.report.documents = documents
        _checkpoint("before-near-duplicates")
        with ix.reader() as reader:
            graph = graph_for(reader, self.previous)
            write_words(self.generation, reader, self.previous)
        write_graph(self.generation, graph)

    def _rewrite_groups(self, writer, old_docs: int):
        """Delete the documents of changed duplicate groups; re-add those with copies left.

        A group's document is in the old segments (numbers below ``old_docs``)
        unless the group is new in this run: an id can be on one old and one
        new document at this point (a file replaced by different content).
        """
        if not self.manifest.has_dirty():
            return []
        builder = SegmentBuilder(self.generation, writer.schema, INDEX_NAME, fast_text=_FAST_TEXT)
        segments = []
        searcher = writer.searcher()
        for dup in self.manifest.dirty_groups():
            doc_id = self.manifest.doc_of(dup)
            if doc_id is None:
                continue
            new = self.manifest.is_fresh(dup)
            docnums = [d for d in searcher.document_numbers(id=doc_id) if (d >= old_docs) == new]
            stored = searcher.stored_fields(docnums[0]) if docnums else None
            for docnum in docnums:
                writer.delete_document(docnum)
            members = self.manifest.members(dup)
            if not members:
                self.manifest.remove_doc(dup)
                continue
            if stored is None:
                raise IndexProblem(f"index check failed: no document for {doc_id}; rebuild the index with --rebuild")
            ids = [member_id for member_id, _path in members]
            primary, primary_path = next(((i, p) for i, p in members if i == doc_id), members[0])
            stored.update(id=primary, short_id=short_id(primary), path=primary_path)
            stored["paths"] = ids if len(ids) > 1 else None
            builder.add(document_fields(stored))
            self.manifest.set_doc(dup, primary)
            if builder.estimated_bytes > limits.SEGMENT_MEMORY:  # a changed huge record file rewrites many
                segments.append(builder.write())
        last = builder.write()
        return [*segments, last] if last is not None else segments
