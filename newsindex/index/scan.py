"""The walk: what to index, in what pieces; files changed, unchanged, gone."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine.whoosh.store import (
    IndexProblem,
)
from ..ingest import FILE_FAILURES, IngestOptions, file_failure
from ..models import RawDocument, Skipped
from ..read import FoundFile, ReadError, read_documents
from ..read.changes import discover_changed
from ..read.files import Walked, walk_files
from . import limits
from .compare import CHANGED, SAME_FAILING, SAME_RECORDS, UNSTATABLE, Comparison, SharedComparison
from .generations import _checkpoint
from .manifest import _KnownFiles, _split_keys, stored_digest


def _indexed_elsewhere(generation: Path, paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The files of ``generation`` outside ``paths`` that still exist."""
    roots = [os.path.abspath(p) for p in paths]
    prefixes = tuple(root.rstrip(os.sep) + os.sep for root in roots)
    known = _KnownFiles(generation)
    try:
        return [path for path in known if path not in roots and not path.startswith(prefixes) and os.path.lexists(path)]
    finally:
        known.close()


@dataclass
class _Pending:
    """A file read in this run, and what its articles became.

    Its path is kept as text: the main process needs no ``Path`` for a file a worker
    reads (making one for each of 20,841 files, and pickling it, was 1% of a build)."""

    path: str
    kind: str
    compression: str | None
    size: int
    mtime: float
    known: tuple[int, float, str] | None

    @property
    def found(self) -> FoundFile:
        return FoundFile(self.path, self.kind, self.compression)

    @property
    def weight(self) -> int:
        return 1


@dataclass
class _Piece:
    """Consecutive records of a big record file, read by the main process.

    The file's old articles are forgotten with its first piece, and it is put
    in the manifest (as indexed, with its digest) only with its last, so a
    file counts as indexed once every record is in; all of it lands in one
    generation, which is published whole or not at all.  ``status`` is
    ``"same"`` when the content hash shows the file unchanged (then it is the
    only piece), ``"failed"`` when it cannot be hashed.  ``failure`` is a
    read error met after ``raws``: the records before it are kept.
    """

    pending: _Pending
    digest: str
    raws: list[RawDocument]
    first: bool
    last: bool
    status: str = "records"
    failure: str | None = None

    @property
    def weight(self) -> int:
        return max(1, len(self.raws))


def _is_big_record_file(item: _Pending) -> bool:
    if item.kind != "records":
        return False
    expanded = item.size * limits.COMPRESSED_EXPANSION if item.compression else item.size
    return expanded >= limits.SPLIT_RECORD_BYTES


def _pieces(item: _Pending, options: IngestOptions) -> Iterator[_Piece]:
    """A big record file as pieces of ``PIECE_RECORDS`` records, read as they are needed."""
    try:
        digest = stored_digest(item.found, options.field_map_fingerprint())
    except OSError as exc:
        yield _Piece(item, "", [], True, True, status="failed", failure=exc.strerror or "cannot read")
        return
    if item.known is not None and item.known[2] == digest:
        yield _Piece(item, digest, [], True, True, status="same")
        return
    raws: list[RawDocument] = []
    first = True
    failure = None
    try:
        for raw in read_documents(item.found, options.max_bytes):
            raws.append(raw)
            if len(raws) >= limits.PIECE_RECORDS:
                yield _Piece(item, digest, raws, first, False)
                raws, first = [], False
    except FILE_FAILURES as exc:
        failure = file_failure(exc)
    yield _Piece(item, digest, raws, first, True, failure=failure)


def _import_for_commit() -> None:
    """numpy and the near-duplicate graph, which a run that changes anything needs at its
    commit: imported while the fork walks (~40 ms of the process, about half of it hidden by
    the fork taking more folders), not after the walk."""
    from ..engine.whoosh import neargraph  # noqa: F401


def _work_item(item: _Pending | _Piece) -> tuple:
    """What a worker is sent to extract: a file to read and hash, or records read already."""
    if isinstance(item, _Piece):
        return ("records", item.raws)
    return ("file", item.path, item.kind, item.compression, item.known[2] if item.known else None)


class _Scanning:
    """The run's walk: files to read (new or changed), big record files as pieces, files gone."""

    @property
    def _unwalked(self) -> list[str]:
        """The folders no walk enters: the index's own, wherever it lies."""
        return [str(self.generation.parent)]

    def _walk(self, on_ignored: Callable[[str, str], None] | None) -> Iterator[Walked]:
        """The files under the paths (or among ``changed``), never the index's own."""
        roots, skip = self.walked_roots, self._unwalked
        follow = self.options.follow_links
        if self.changed is not None:
            return discover_changed(roots, self.changed, follow_links=follow, on_ignored=on_ignored, skip=skip)
        return walk_files(roots, follow_links=follow, on_ignored=on_ignored, skip=skip)

    def _prepare_meanwhile(self) -> None:
        """While the fork walks: numpy and the graph imported (``_import_for_commit``) and the
        cleaning rules compiled (~20 ms; the CLI compiles only users' files, to report a bad one)."""
        _import_for_commit()
        self.options.rules()

    def _share_comparison(self, known_files: _KnownFiles) -> SharedComparison | None:
        """The walk's comparison shared with a fork, started, when it pays: a whole walk
        of a large archive held in memory, on two cores or more, on Linux (and not
        following links: which of two links to a file is read depends on order)."""
        if (
            self.changed is not None
            or known_files.stamps is None
            or len(known_files.stamps.place) < limits.SHARED_WALK_FILES
            or self.workers < 2
            or self.options.follow_links
            or not sys.platform.startswith("linux")  # fork beside threads, and a fork that dies with its parent
            or not all(map(os.path.isdir, self.walked_roots))  # a file given by name: walked alone
        ):
            return None
        shared = SharedComparison(
            self.walked_roots,
            self._unwalked,
            known_files.stamps,
            known_files.failures,
            self.lock.fileno(),
            meanwhile=self._prepare_meanwhile,
        )
        shared.start()
        return shared

    def _scan(self, known_files: _KnownFiles, shared: SharedComparison | None = None) -> Iterator[_Pending]:
        """Files to read, as they are found (all at the end of the walk when ``shared``);
        unchanged ones counted.  At the end of the walk, ``self.vanished`` lists indexed
        files gone from the paths."""
        roots = self.walked_roots
        for root in roots:
            if not os.path.exists(root) and not os.path.islink(root):
                raise IndexProblem(f"{root}: no such file or directory")
        report = self.report
        seen: set[str] = set()
        met: bytearray | None = None
        mapping = f"+{self.fields}"
        failures = known_files.failures
        counted = 0  # of comparison.unchanged: added to the report before a file is handed on and at the end
        try:
            if shared is not None:
                comparison = shared
                findings = shared.findings()
                self.total = shared.unchanged + len(findings)  # every file walked
                report.ignored.extend(Skipped(path, reason) for path, reason in shared.ignored)
            else:
                comparison = Comparison(known_files.asked(), failures)
                # Indexed files met are marked by place when held in memory, else by path.
                met = known_files.stamps.marks() if known_files.stamps is not None else None
                findings = comparison.findings(self._walk(self._report_ignored), None if met is not None else seen, met)
            for path, kind, compression, size, mtime, status in findings:
                if status == UNSTATABLE:
                    report.failed.append(Skipped(path, mtime))
                    self.passed += 1
                    continue
                known = known_files.get(path) if status in (CHANGED, SAME_RECORDS) else None
                if status == SAME_FAILING or (status == SAME_RECORDS and known[2].endswith(mapping)):
                    self.passed += 1
                    report.unchanged += 1
                    if path in failures:
                        report.failed.extend(failures[path])  # still failing, still listed
                    continue
                report.unchanged += comparison.unchanged - counted
                self.passed += comparison.unchanged - counted
                counted = comparison.unchanged
                yield _Pending(path, kind, compression, size, mtime, known)
        except ReadError as exc:
            raise IndexProblem(str(exc)) from None
        finally:
            report.unchanged += comparison.unchanged - counted
            self.passed += comparison.unchanged - counted
        if self.changed is not None:
            gone = {os.path.abspath(p) for p in self.changed if not os.path.lexists(p)}
            self.vanished = sorted({path for root in gone for path in known_files.at_or_under(root)} - seen)
        else:
            prefixes = tuple(root.rstrip(os.sep) + os.sep for root in roots)
            # The manifest's paths the walk did not mark, found in C when the manifest is in
            # memory, not a loop in Python over every indexed file (0.09 s of a one-file run at
            # 200,000).
            if shared is not None:
                unseen = shared.unseen
            elif met is not None:
                unseen = known_files.stamps.unmet(met)
            else:
                unseen = (path for path in known_files if path not in seen)
            self.vanished = sorted(path for path in unseen if path in roots or path.startswith(prefixes))
        known_files.close()
        _checkpoint("scanned")

    def _report_ignored(self, path: str, reason: str) -> None:
        self.report.ignored.append(Skipped(path, reason))

    def _count_files(self) -> int:
        """The article files under the paths: a walk without reading or even a stat
        per file (cheap next to the run), so that progress has its total up front."""
        try:
            return sum(
                1
                for _found in walk_files(
                    self.walked_roots,
                    follow_links=self.options.follow_links,
                    skip=self._unwalked,
                )
            )
        except ReadError as exc:
            raise IndexProblem(str(exc)) from None

    def _work(self, scan: Iterator[_Pending]) -> Iterator[_Pending | _Piece]:
        """The files to read, big record files as pieces."""
        for item in scan:
            if _is_big_record_file(item):
                yield from _pieces(item, self.options)
            else:
                yield item

    def _remove_vanished(self) -> None:
        for gone in self.vanished:
            self._forget_file(gone)
            self.manifest.remove_file(gone)
            self.report.removed += 1

    def _forget_file(self, path: str) -> None:
        """Undo a file's articles: learned counts, manifest rows, document membership."""
        for article_id, dup, source, keys in self.manifest.articles_of(path):
            self.learned.forget_keys(source, _split_keys(keys))
            self.manifest.remove_article(article_id)
            self.manifest.mark_dirty(dup)
        self.manifest.remove_failures(path)
