"""Committing a run: new segments into the generation's index, deletions and rewritten duplicate
groups, merging (merging.py), the count check, the near-duplicate graph.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING

from . import _import_whoosh_lightly

_import_whoosh_lightly()  # before the first Whoosh import: an indexing run needs no HTTP or asyncio either

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ...forking import Forked, forkable
from ...index import limits
from ...index.documents import _FAST_TEXT, document_fields
from ...index.generations import _checkpoint, _fsync_file
from ...index.stamps import STAMPS_FILE
from .lexicon import write_words
from .merging import merge_budget, merge_policy
from .segment import SegmentBuilder
from .store import INDEX_NAME, IndexProblem, short_id
from .summary import generation_summary, write_summary

if TYPE_CHECKING:
    from .neargraph import MergedFrom


class _Committing:
    """Committing the run's segments into the generation's index and checking it.

    A mixin of the run (``index.run._Run``): the run's ``_write_stamps`` writes the files'
    stamps, in the commit's fork when there is one."""

    def _commit(self) -> None:
        """Add the new segments, apply deletions and rewrites, merge, and check the count."""
        from .neargraph import graph_for, write_graph  # numpy: imported while a big walk runs (scan.py)

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
        # The word list and the files' stamps are written, and the segments synced, by a fork
        # of this process while this one builds and writes the graph and the summary (a large
        # index, two cores, no other thread: two halves of about equal length at 200,000
        # articles); without one, after them (the segments with the rest of the generation).
        apart = self.workers > 1 and documents >= limits.SHARED_FINISH_DOCUMENTS and forkable()
        fork = Forked(self._finish_apart, self.lock.fileno()) if apart else None
        if fork is not None and not fork.start():
            fork = None
        try:
            with ix.reader() as reader:
                graph = graph_for(reader, self.previous, merged_from, share=self.workers > 1)
            write_graph(self.generation, graph)
            write_summary(
                self.generation,
                generation_summary(storage, ix._segments(), lambda s: SegmentReader(storage, ix.schema, s)),
            )
            synced = fork.result() if fork is not None else None
        finally:
            if fork is not None:
                fork.stop()
        if synced is None:
            self._write_words(storage)
        else:
            self.synced.update(synced.decode("utf-8").split("\n") if synced else ())
        if STAMPS_FILE not in self.synced:  # not by the fork (none, or the manifest's table was needed)
            self._write_stamps()

    def _write_words(self, storage: FileStorage) -> None:
        """The generation's word list, from a reader of the index as committed (a fork's
        own: file positions are shared with the process it was forked from)."""
        with storage.open_index(INDEX_NAME).reader() as reader:
            write_words(self.generation, reader, self.previous)

    def _finish_apart(self) -> bytes:
        """In a fork: ``_write_words`` and the files' stamps (when they need no query of the
        manifest: its connection is the parent's), while a thread fsyncs the segments and
        tables of contents, which are written for good by now (the disk's time, not this
        process's: it was a third of the fork's); returns the names of the files synced."""
        named = (f"{INDEX_NAME}_", f"_{INDEX_NAME}_")  # a segment's files and the tables of contents
        with os.scandir(self.generation) as found:
            segments = [entry.path for entry in found if entry.name.startswith(named) and entry.is_file()]
        syncing = _Syncing(segments)
        syncing.start()
        try:
            self._write_words(FileStorage(str(self.generation)))
            stamps = [str(self.generation / STAMPS_FILE)] if self._write_stamps(query=False) else []
            _fsync_files(stamps)
        finally:
            syncing.join()
        if syncing.error is not None:
            raise syncing.error  # the fork's failure, as an fsync here would be
        return "\n".join(os.path.basename(path) for path in [*segments, *stamps]).encode("utf-8")

    def _rewrite_groups(self, writer, old_docs: int):
        """Delete the documents of changed duplicate groups; re-add those with copies left.

        A group's document is in the old segments (numbers below ``old_docs``)
        unless the group is new in this run: an id can be on one old and one
        new document at this point (a file replaced by different content).
        """
        if not self.manifest.has_dirty():
            return []
        from .neargraph import _Leaves

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


def _fsync_files(paths: list[str]) -> None:
    for path in paths:
        _fsync_file(path)


class _Syncing(threading.Thread):
    """fsyncs files in a thread (the GIL is free while the disk works); keeps its error."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__(name="newsindex-fsync", daemon=True)
        self.paths = paths
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            _fsync_files(self.paths)
        except OSError as exc:
            self.error = exc
