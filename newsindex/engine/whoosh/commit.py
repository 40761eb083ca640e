"""Committing a run: new segments into the generation's index, deletions and rewritten duplicate
groups, merging (merging.py), the count check, the near-duplicate graph.
"""

from __future__ import annotations

import contextlib

from . import _import_whoosh_lightly

_import_whoosh_lightly()  # before the first Whoosh import: an indexing run needs no HTTP or asyncio either

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ...forking import Forked, forkable
from ...index import limits
from ...index.documents import _FAST_TEXT, document_fields
from ...index.generations import _checkpoint
from .lexicon import write_words
from .merging import merge_budget, merge_policy
from .neargraph import MergedFrom, _Leaves, graph_for, write_graph
from .segment import SegmentBuilder
from .store import INDEX_NAME, IndexProblem, short_id
from .summary import generation_summary, write_summary


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
            budget = merge_budget(self.indexed)
            merged_from: MergedFrom = {}
            writer.commit(
                mergetype=lambda w, segments: merge_policy(w, [*segments, *rewrites], budget, INDEX_NAME, merged_from)
            )
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
        # The word list is written by a fork of this process while this one builds the graph
        # (a run that forks: two cores, no other thread); without one, after it.
        apart = self.workers > 1 and self.indexed >= limits.SHARED_WORDS_DOCUMENTS and forkable()
        words = Forked(self._write_words_apart, self.lock.fileno()) if apart else None
        if words is not None and not words.start():
            words = None
        try:
            with ix.reader() as reader:
                graph = graph_for(reader, self.previous, merged_from, share=self.workers > 1)
                if words is None or words.result() is None:
                    write_words(self.generation, reader, self.previous)
        finally:
            if words is not None:
                words.stop()
        write_graph(self.generation, graph)
        segments = ix._segments()
        write_summary(
            self.generation, generation_summary(storage, segments, lambda s: SegmentReader(storage, ix.schema, s))
        )

    def _write_words_apart(self) -> bytes:
        """``write_words`` in a fork, from a reader of its own (file positions are shared
        with the process it was forked from)."""
        with FileStorage(str(self.generation)).open_index(INDEX_NAME).reader() as reader:
            write_words(self.generation, reader, self.previous)
        return b""

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
        sketches = _Leaves(searcher.reader())  # the sketch is a column, not stored
        for dup in self.manifest.dirty_groups():
            doc_id = self.manifest.doc_of(dup)
            if doc_id is None:
                continue
            new = self.manifest.is_fresh(dup)
            docnums = [d for d in searcher.document_numbers(id=doc_id) if (d >= old_docs) == new]
            stored = None
            if docnums:
                stored = searcher.stored_fields(docnums[0]) | {"sketch": sketches.packed(docnums[0])}
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
