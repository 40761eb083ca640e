"""A run: build or update an index from paths, in a new generation published only when whole."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..clean.learned import LearnedBoilerplate
from ..engine import IndexInterrupted
from ..engine.whoosh.commit import _Committing
from ..engine.whoosh.store import (
    _GEN_PREFIX,
    FORMAT_VERSION,
    INDEX_NAME,
    IndexProblem,
    _read_info,
    create_index,
    current_generation,
    require_current_format,
)
from ..ingest import IngestOptions
from . import limits
from .accept import _Accepting
from .batching import _take
from .generations import (
    _PER_GENERATION,
    _checkpoint,
    _fsync_tree,
    _Lock,
    _next_generation_name,
    _no_gc,
    _publish,
    _remove_stale_generations,
)
from .learned import _load_learned
from .manifest import Manifest, _KnownFiles, held_in_memory, indexed_folders, table_stamps
from .pool import _Feeding
from .report import IndexReport
from .scan import _indexed_elsewhere, _Scanning
from .stamps import STAMPS_FILE

# --- the entry point ---------------------------------------------------------------

ProgressFn = Callable[[int, int], None]


def build_index(
    paths: Sequence[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    options: IngestOptions | None = None,
    rebuild: bool = False,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    changed: Sequence[str] | None = None,
) -> IndexReport:
    """Index (incrementally, unless ``rebuild``) every article under ``paths``.

    ``changed`` (for ``watch``) says that only these paths, files or folders
    under ``paths``, may differ from the index: they alone are looked at, and
    indexed files at or under those gone are removed.

    ``progress(done, total)`` is called as files are done (read and indexed, or
    found unchanged); ``total``, the number of article files under ``paths``, is
    counted before any file is read (by a quick walk, or by the walk itself when it is
    shared with a fork, see ``compare``), so it is the same in every call
    (a big record file counts once, when all of it is in); ``workers``
    is the number of processes (default: the number of cores).  Raises
    ``IndexProblem`` for whole-index problems (lock held, bad paths, disk
    full, a lost document); problems with single files are reported in the
    returned ``IndexReport``.  Whatever happens, the previous index stays
    whole and searchable until the new one is complete.
    """
    started = time.perf_counter()
    options = options or IngestOptions()
    index_dir = Path(index_dir)
    _refuse_foreign_folder(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexProblem(f"cannot create index directory {index_dir}: {exc.strerror}") from None
    report = IndexReport(index_dir=str(index_dir))
    with _Lock(index_dir) as lock:
        previous = None if rebuild else current_generation(index_dir)
        if previous is not None:
            require_current_format(index_dir, previous)
        reading = options.reading_fingerprint()
        roots = [os.path.abspath(p) for p in paths]
        if previous is not None and _read_info(previous).get("reading") != reading:
            roots += sorted(indexed_folders(previous))
            # --dayfirst or --rules changed what files yield: build afresh from every
            # file, those indexed from other paths in earlier runs included.
            paths = [*paths, *_indexed_elsewhere(previous, paths)]
            previous = None
            report.reread = True
        if previous is None:
            changed = None  # a first or rebuilding run reads everything
        _remove_stale_generations(index_dir, keep={previous.name} if previous else set())
        generation = index_dir / _next_generation_name(index_dir)
        try:
            with _no_gc():
                run = _Run(paths, previous, generation, options, workers, progress, report, lock, reading)
                run.changed = changed
                run.roots = roots
                written = run.run()
            if not written:  # nothing changed: the committed generation stays
                report.seconds = time.perf_counter() - started
                return report
            _checkpoint("before-publish")
            _publish(index_dir, generation)
        except BaseException as exc:
            shutil.rmtree(generation, ignore_errors=True)
            if isinstance(exc, (OSError, sqlite3.Error)):
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                left = _what_is_left(index_dir)
                raise IndexProblem(f"cannot write the index at {index_dir}: {reason}; {left}") from None
            if isinstance(exc, KeyboardInterrupt):
                raise IndexInterrupted(f"interrupted; {_what_is_left(index_dir)}") from None
            raise
        _checkpoint("published")
        _remove_stale_generations(index_dir, keep={generation.name})
    report.seconds = time.perf_counter() - started
    return report


class _ManifestCopy(threading.Thread):
    """The previous generation's manifest copied into the new one while the walk runs.

    A run changes a copy of the manifest, never the committed one.  At 200,000 articles it
    is 180 MB, a quarter of a second to copy and most of a tenth to sync to disk, and a
    one-file run's walk (a stat of every file) takes most of a second: done side by side,
    in a thread (the copy holds no lock Python's walk needs).  Synced here, the copy leaves
    the run's final sync only the pages the run changed.  A run that finds nothing changed
    removes the unpublished copy.
    """

    def __init__(self, previous: Path, generation: Path) -> None:
        super().__init__(name="newsindex-manifest-copy", daemon=True)
        self.source = previous / "manifest.sqlite"
        self.target = generation / "manifest.sqlite"
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            shutil.copy2(self.source, self.target)
            with open(self.target, "rb") as handle:
                os.fsync(handle.fileno())
        except BaseException as exc:  # raised again in the run's thread by ``finish``
            self.error = exc

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def _what_is_left(index_dir: Path) -> str:
    """What a failed or interrupted run leaves, said truly: a first build leaves no index."""
    try:
        committed = current_generation(index_dir)
    except IndexProblem:
        committed = None
    return "the previous index is unchanged" if committed is not None else "no index was created"


def _refuse_foreign_folder(index_dir: Path) -> None:
    """An existing folder that holds something but no index is the user's, not ours:
    a mistyped ``--index`` must not write an index into it (nor, with --rebuild,
    clear anything in it)."""
    try:
        entries = [entry.name for entry in os.scandir(index_dir)]
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise IndexProblem(f"cannot use {index_dir} as the index: {exc.strerror}") from None
    ours = {"CURRENT", "LOCK", "CURRENT.tmp"}
    if entries and not any(name in ours or name.startswith(_GEN_PREFIX) for name in entries):
        raise IndexProblem(
            f"{index_dir} is not a newsindex index and is not empty; give --index an empty or new folder"
        )


# --- one run -------------------------------------------------------------------------


class _Run(_Feeding, _Committing, _Accepting, _Scanning):
    """One indexing run into a new generation directory."""

    def __init__(self, paths, previous, generation, options, workers, progress, report, lock, reading: str) -> None:
        self.previous: Path | None = previous
        self.generation: Path = generation
        self.options: IngestOptions = options
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.report: IndexReport = report
        self.lock = lock
        self.segments: list = []
        self.synced: set[str] = set()  # the generation's files synced already (by the commit's fork)
        self.indexed = 0  # documents added to new segments
        self.done = 0  # files read and indexed (a big record file once its last piece is in)
        self.passed = 0  # files the walk found unchanged (or could not stat): done without reading
        self.total = 0  # files under the paths, counted before any is read when progress is shown
        self.vanished: list[str] = []
        self.batches_done = 0
        self.abandoned: set[str] = set()  # files dropped for an article that could not be indexed
        self.fields = options.field_map_fingerprint()
        self.reading = reading  # options.reading_fingerprint(), recorded in info.json
        self.records_kept = 0  # articles recorded so far from the big record file being read
        self.changed: Sequence[str] | None = None  # see build_index
        self.walked_roots = [os.path.abspath(p) for p in paths]  # the paths walked, absolute
        self.roots = list(self.walked_roots)  # the folders indexed, for the manifest (more on a re-read)

    # -- setting up ----------------------------------------------------------------

    def _roots_change(self) -> bool:
        """Whether the folders indexed change (a path given for the first time)."""
        return bool(set(self.roots) - self.known_files.roots)

    def _record_roots(self) -> None:
        self.manifest.add_roots(self.roots)

    def _write_stamps(self, query: bool = True) -> bool:
        """The files' sizes and mtimes as the run leaves them, for the next run to load at
        once (``stamps``): those it loaded, changed as it changed the manifest, or (``query``)
        the manifest's table when it changed too many.  A run told which files changed
        (``watch``) loaded none and writes none (a later whole run reads the table); nor does
        a run over more files than are ever held in memory.  True when written."""
        if self.changed is not None:
            return False
        stamps, changes = self.known_files.stamps, self.manifest.stamp_changes.changes
        if stamps is not None and changes is not None:
            stamps.update(changes)
            if not held_in_memory(len(stamps.place)):
                return False  # the next run asks file by file
        elif query:
            stamps = table_stamps(self.manifest.db)
        else:
            return False
        if stamps is None:
            return False
        stamps.write(self.generation / STAMPS_FILE)
        return True

    def run(self) -> bool:
        """Index into the new generation; False when nothing changed and none was written."""
        self.known_files = _KnownFiles(self.previous, lazy=self.changed is not None)
        shared = self._share_comparison(self.known_files)  # forked before the copy's thread starts
        if self.progress and shared is None:  # a shared walk counts the files before any is read
            self.total = self._count_files()
        copying = None
        try:
            if self.previous is not None and self.changed is None:  # a whole walk: copy the manifest meanwhile
                self.generation.mkdir()
                copying = _ManifestCopy(self.previous, self.generation)
            scan = self._work(self._scan(self.known_files, shared))
            first, scanned = _take(scan, limits.BATCH_SIZE)  # if scanned, the walk is over and self.vanished known
        except BaseException:
            if shared is not None:
                shared.stop()
            if copying is not None:
                copying.join()  # before the caller removes the generation it writes into
            raise
        if copying is not None:
            copying.finish()
        if scanned and not first and not self.vanished and not self._roots_change() and self.previous is not None:
            self.report.documents = _read_info(self.previous).get("documents", 0)
            if copying is not None:
                shutil.rmtree(self.generation)  # unpublished: the committed generation stays
            return False
        generation = self.generation
        linked: set[str] = set()
        if copying is None:
            generation.mkdir()
        if self.previous is not None:
            for item in self.previous.iterdir():
                if item.is_file() and item.name not in _PER_GENERATION and ("WRITELOCK" not in item.name):
                    os.link(item, generation / item.name)
                    linked.add(item.name)
            if copying is None:
                shutil.copy2(self.previous / "manifest.sqlite", generation / "manifest.sqlite")
            self.learned = _load_learned(self.previous / "learned.json")
        else:
            create_index(generation)
            self.learned = LearnedBoilerplate()
        self.manifest = Manifest(generation / "manifest.sqlite")
        self._record_roots()
        committed = False
        try:
            if scanned:
                self._remove_vanished()
            self._index(first, None if scanned else scan)
            _checkpoint("segments-written")
            self._commit()  # the files' stamps too (``_write_stamps``), itself or in its fork
            committed = True
        finally:
            self.manifest.close(commit=committed)
        _checkpoint("committed")
        (generation / "learned.json").write_text(json.dumps(self.learned.to_dict()), encoding="utf-8")
        info = {
            "format": FORMAT_VERSION,
            "documents": self.report.documents,
            "written": time.time(),
            "reading": self.reading,
        }
        (generation / "info.json").write_text(json.dumps(info), encoding="utf-8")
        shutil.rmtree(generation / f"{INDEX_NAME}.tmp", ignore_errors=True)
        _fsync_tree(generation, frozenset(linked | self.synced))
        return True
