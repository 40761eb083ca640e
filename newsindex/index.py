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
graph of the whole committed index is worked out from the sketch column
(``dedup.near_duplicate_graph``, a fraction of a second for 20,000 articles)
and written beside it, aligned with its document numbers.  A run that finds nothing
changed writes no generation at all.

Byte-identical articles (same title, paragraphs and metadata; see
``dup_key``) are one document.  Its stored ``paths`` lists the ids of every
copy when there are several, and the manifest maps each copy to the
document, so removing or changing one copy keeps the others findable.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from .changes import discover_changed
from .clean import LearnedBoilerplate
from .dedup import sketch
from .extract import folder_source
from .ingest import (
    FILE_FAILURES,
    IngestOptions,
    article_from_draft,
    draft_from_raw,
    drafts_from_file,
    file_failure,
)
from .models import Article, Draft, RawDocument, Skipped
from .neargraph import STATE_FILE, graph_for, write_graph
from .read import FoundFile, ReadError, discover, read_bytes, read_documents
from .segment import SegmentBuilder
from .store import (  # noqa: F401 - the read side, re-exported for library users
    _GEN_PREFIX,
    FORMAT_VERSION,
    INDEX_NAME,
    NEIGHBOURS_FILE,
    UNDATED_MONTH,
    IndexLocked,
    IndexProblem,
    _format_problem,
    _read_info,
    current_generation,
    default_index_dir,
    index_disk_size,
    live_fixed_column,
    make_schema,
    open_index,
    short_id,
    write_near_duplicates,
)

#: Files read, then learned from, then cleaned together: bounds memory, and lets
#: a new source's template lines be learned from its first articles before they
#: are cleaned.
BATCH_SIZE = 2000
#: A worker writes its segment when the postings it holds grow past this (bytes,
#: estimated): bounds each process's memory whatever the corpus size.
SEGMENT_MEMORY = 192 * 1024 * 1024
#: Files to read per worker process at least (fewer files, fewer processes).
PARALLEL_MIN_FILES = 64
#: A record file this large on disk (a compressed one an eighth of it) is read by
#: the main process and handed out as pieces of ``PIECE_RECORDS`` records, which
#: any worker can extract and index: memory stays flat however large the file,
#: and one huge file still keeps every core busy.  Smaller files go whole to a worker.
SPLIT_RECORD_BYTES = 4 * 1024 * 1024
PIECE_RECORDS = 250
#: Merge the smallest segments when there are more than this many.
MAX_SEGMENTS = 12
_FAST_TEXT = frozenset({"title", "body"})
#: Files a generation writes anew rather than hard-linking from the previous one.
_PER_GENERATION = frozenset({"manifest.sqlite", "info.json", "learned.json", NEIGHBOURS_FILE, STATE_FILE})
#: Test hook: ``NEWSINDEX_CRASH_AT=<point>`` kills the indexer with SIGKILL
#: when it reaches that point (see ``_checkpoint`` and ``CRASH_POINTS``).
CRASH_ENV = "NEWSINDEX_CRASH_AT"
CRASH_POINTS = (
    "scanned",  # files listed, old versions not yet forgotten
    "worker-extracted",  # in a worker, after reading its share of a batch
    "batch-learned",  # a batch learned from and handed to the workers
    "worker-indexing",  # in a worker, while adding documents to its segment
    "segments-written",  # every new segment on disk, none committed
    "segments-committed",  # new segments in the generation's TOC, deletions not yet
    "before-near-duplicates",  # index committed and checked, its near-duplicate graph not yet written
    "committed",  # generation complete but for learned.json, info.json and fsync
    "before-publish",  # generation fsynced, CURRENT still the old one
    "published",  # CURRENT replaced, stale generations not yet removed
)


# --- the manifest ----------------------------------------------------------------


class Manifest:
    """What is indexed, as what: the memory of incremental runs.

    ``files``: every file read, with size, mtime and content hash.
    ``articles``: every article read from them, with its duplicate key and
    its ``LearnedBoilerplate.document_keys``, which undo its observation.
    ``docs``: the Whoosh document (by id) standing for each duplicate key.
    Lives in the generation directory, so it is always consistent with the
    index beside it.  Two temporary tables hold the run's own bookkeeping:
    ``dirty`` (duplicate keys whose document must be rewritten or deleted) and
    ``fresh`` (duplicate keys whose document is new in this run); kept on disk,
    not in sets, they cost the main process no memory per article, so a
    million-record file indexes in the same memory as a small one.
    """

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        # The generation is unpublished (and fsynced before publishing): no journal needed.
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime REAL, hash TEXT);
            CREATE TABLE IF NOT EXISTS articles (
                id TEXT PRIMARY KEY, path TEXT NOT NULL, dup TEXT NOT NULL, source TEXT, learn_keys TEXT);
            CREATE INDEX IF NOT EXISTS articles_path ON articles (path);
            CREATE INDEX IF NOT EXISTS articles_dup ON articles (dup);
            CREATE TABLE IF NOT EXISTS docs (dup TEXT PRIMARY KEY, doc_id TEXT NOT NULL);
            CREATE TEMP TABLE dirty (dup TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TEMP TABLE fresh (dup TEXT PRIMARY KEY) WITHOUT ROWID;
            """
        )
        self.db.execute("BEGIN")

    def put_file(self, path: str, size: int, mtime: float, digest: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (path, size, mtime, digest))

    def remove_file(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def articles_of(self, path: str, page: int = 1000) -> Iterator[tuple[str, str, str | None, str]]:
        """(id, dup, source, learn_keys) of a file's articles, a page at a time (a
        record file may have millions); the caller may delete the rows it was given."""
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT rowid, id, dup, source, learn_keys FROM articles WHERE path = ? AND rowid > ? "
                "ORDER BY rowid LIMIT ?",
                (path, last, page),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                yield row[1:]

    def add_articles(self, rows: Iterable[tuple[str, str, str, str | None, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)", rows)

    def remove_article(self, article_id: str) -> None:
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def members(self, dup: str) -> list[tuple[str, str]]:
        """(id, path) of every article with this duplicate key, oldest first."""
        return self.db.execute("SELECT id, path FROM articles WHERE dup = ? ORDER BY rowid", (dup,)).fetchall()

    def doc_of(self, dup: str) -> str | None:
        row = self.db.execute("SELECT doc_id FROM docs WHERE dup = ?", (dup,)).fetchone()
        return row[0] if row else None

    def set_doc(self, dup: str, doc_id: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?)", (dup, doc_id))

    def remove_doc(self, dup: str) -> None:
        self.db.execute("DELETE FROM docs WHERE dup = ?", (dup,))

    def mark_dirty(self, dup: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO dirty VALUES (?)", (dup,))

    def mark_fresh(self, dup: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO fresh VALUES (?)", (dup,))

    def unmark(self, dup: str) -> None:
        self.db.execute("DELETE FROM dirty WHERE dup = ?", (dup,))
        self.db.execute("DELETE FROM fresh WHERE dup = ?", (dup,))

    def is_fresh(self, dup: str) -> bool:
        return self.db.execute("SELECT 1 FROM fresh WHERE dup = ?", (dup,)).fetchone() is not None

    def dirty_groups(self, page: int = 1000) -> Iterator[str]:
        """The dirty duplicate keys in order, a page at a time."""
        last = ""
        while True:
            rows = self.db.execute("SELECT dup FROM dirty WHERE dup > ? ORDER BY dup LIMIT ?", (last, page)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for (dup,) in rows:
                yield dup

    def has_dirty(self) -> bool:
        return self.db.execute("SELECT 1 FROM dirty LIMIT 1").fetchone() is not None

    def doc_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def close(self, commit: bool = True) -> None:
        try:
            self.db.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            self.db.close()


def _bytes_digest(data: bytes) -> str:
    """``file_digest`` of a file whose bytes are in hand."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def stored_digest(found: FoundFile, fields: str) -> str:
    """What the manifest keeps to tell a file unchanged: its content hash, and for a
    record file also the fingerprint of the field mapping (``fields``) it was read
    with, so a new mapping (``--field``, a config file) re-reads it."""
    digest = file_digest(found.path)
    return f"{digest}+{fields}" if found.kind == "records" else digest


def _same_mapping(found: FoundFile, known_digest: str, fields: str) -> bool:
    return found.kind != "records" or known_digest.endswith(f"+{fields}")


def dup_key(draft: Draft) -> str:
    """What makes two articles the same: text and metadata, not where they were found.

    A source that is only the name of the folder holding the file is left
    out, so copies of one file in two folders are one article.
    """
    digest = hashlib.blake2b(digest_size=16)
    source = "" if draft.source == (folder_source(draft.path) or "") else draft.source or ""
    published = draft.published.isoformat() if draft.published else ""
    for part in (draft.title, *draft.paragraphs, "\x01", source, published, str(draft.date_only), draft.url or ""):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    for part in (*draft.authors, "\x01", draft.section or ""):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _learn_keys(draft: Draft) -> str:
    """What the learned boilerplate counts of a draft, as the manifest keeps it: its
    ``document_keys`` (a few short hashes) joined by spaces.  Computed in the worker
    processes; the main process only adds them up, and ``forget_keys`` takes them
    back when the file changes or goes."""
    return " ".join(LearnedBoilerplate.document_keys(draft.paragraphs))


def _split_keys(text: str | None) -> list[str]:
    return text.split() if text else []


# --- documents ---------------------------------------------------------------------


def article_record(article: Article) -> dict:
    """The stored fields of an article's document: everything indexed derives from them."""
    published = article.published.astimezone(timezone.utc).replace(tzinfo=None) if article.published else None
    return {
        "id": article.id,
        "short_id": short_id(article.id),
        "path": article.path,
        "url": article.url,
        "title": article.title,
        "body": article.text,
        "meta": {
            "authors": article.authors,
            "source": article.source,
            "section": article.section,
            "date_only": article.date_only,
        },
        "content_hash": article.content_hash,
        "sketch": " ".join(sketch(article.text)),
        "published": published,
    }


def document_fields(stored: dict) -> dict:
    """``add_document`` values for a stored record (so a document can be rebuilt from the index alone)."""
    meta = stored.get("meta") or {}
    fields = {
        name: stored.get(name)
        for name in ("id", "short_id", "path", "paths", "url", "title", "body", "meta", "content_hash", "published")
    }
    fields["authors"] = ",".join(a.replace(",", " ") for a in meta.get("authors") or [])
    fields["source"] = (meta.get("source") or "").replace(",", " ")
    fields["section"] = (meta.get("section") or "").replace(",", " ")
    fields["sketch"] = stored.get("sketch") or ""
    published = stored.get("published")
    if isinstance(published, datetime):
        # Terms for the day, the exact time stored and sorted on: every date
        # filter is by whole days, and per-day terms are shared by the day's
        # articles instead of a handful of unique terms per article.
        fields["published"] = published.replace(hour=0, minute=0, second=0, microsecond=0)
        fields["_stored_published"] = published
        fields["year"] = published.year
        fields["month"] = f"{published.year:04d}-{published.month:02d}"
    else:
        fields["month"] = UNDATED_MONTH  # so a date-filtered search can count undated matches cheaply
    return {name: value for name, value in fields.items() if value is not None}


# --- the report ------------------------------------------------------------------


@dataclass
class IndexReport:
    """What an indexing run did; ``--format json`` prints it as is."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[Skipped] = field(default_factory=list)
    ignored: list[Skipped] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    documents: int = 0
    #: Articles stored as another article's document (identical copies).
    duplicates: int = 0
    #: Every file was read again: --dayfirst or --rules differ from the last run's.
    reread: bool = False
    seconds: float = 0.0
    index_dir: str = ""

    @property
    def rate(self) -> float:
        processed = self.added + self.updated
        return processed / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
            "failures": [{"path": s.path, "reason": s.reason} for s in self.failed],
            "ignored": len(self.ignored),
            "duplicates": self.duplicates,
            "reread": self.reread,
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "index": self.index_dir,
        }


# --- locking, crash points, files ----------------------------------------------------


class _Lock:
    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / "LOCK"
        self.handle = None

    def __enter__(self) -> _Lock:
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise IndexLocked(
                f"index at {self.path.parent} is being written by {holder}; try again when it finishes"
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"newsindex pid {os.getpid()}")
        self.handle.flush()
        return self

    def fileno(self) -> int:
        return self.handle.fileno() if self.handle else -1

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.close()


def _checkpoint(point: str) -> None:
    """The crash-test hook: ``NEWSINDEX_CRASH_AT=point`` dies here as a kill -9
    would; ``point:pause`` waits here (a minute at most) to be killed."""
    hook = os.environ.get(CRASH_ENV)
    if not hook:
        return
    name, _, action = hook.partition(":")
    if name != point:
        return
    if action == "pause":
        time.sleep(60)
        return
    os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path, durable: frozenset[str] = frozenset()) -> None:
    """fsync a generation's files and folder; ``durable`` names files hard-linked from a
    published generation, whose contents were synced when it was (a one-file run at
    200,000 articles would otherwise sync every segment again)."""
    for child in path.iterdir():
        if child.is_file() and child.name not in durable:
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(path)


def _next_generation_name(index_dir: Path) -> str:
    numbers = [
        int(p.name[len(_GEN_PREFIX) :])
        for p in index_dir.glob(_GEN_PREFIX + "*")
        if p.name[len(_GEN_PREFIX) :].isdigit()
    ]
    return f"{_GEN_PREFIX}{max(numbers, default=0) + 1:06d}"


def _publish(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation`` atomically (write, fsync, rename)."""
    temporary = index_dir / "CURRENT.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def _remove_stale_generations(index_dir: Path, keep: set[str]) -> None:
    committed = current_generation(index_dir)
    for item in index_dir.glob(_GEN_PREFIX + "*"):
        if item.name in keep or (committed is not None and item.name == committed.name):
            continue
        shutil.rmtree(item, ignore_errors=True)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The run allocates millions of small, acyclic objects; the cyclic collector
    would rescan them over and over (it doubled the cost of analysis)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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

    ``progress(done, total)`` is called as files are processed (a big record
    file counts once per piece of ``PIECE_RECORDS`` records); ``workers``
    is the number of processes (default: the number of cores).  Raises
    ``IndexProblem`` for whole-index problems (lock held, bad paths, disk
    full, a lost document); problems with single files are reported in the
    returned ``IndexReport``.  Whatever happens, the previous index stays
    whole and searchable until the new one is complete.
    """
    started = time.perf_counter()
    options = options or IngestOptions()
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexProblem(f"cannot create index directory {index_dir}: {exc.strerror}") from None
    report = IndexReport(index_dir=str(index_dir))
    with _Lock(index_dir) as lock:
        previous = None if rebuild else current_generation(index_dir)
        if previous is not None and _read_info(previous).get("format") != FORMAT_VERSION:
            raise _format_problem(index_dir, _read_info(previous).get("format"))
        reading = options.reading_fingerprint()
        if previous is not None and _read_info(previous).get("reading") != reading:
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
                raise IndexProblem(
                    f"cannot write the index at {index_dir}: {reason}; the previous index is unchanged"
                ) from None
            raise
        _checkpoint("published")
        _remove_stale_generations(index_dir, keep={generation.name})
    report.seconds = time.perf_counter() - started
    return report


def _indexed_elsewhere(generation: Path, paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The files of ``generation`` outside ``paths`` that still exist."""
    roots = [os.path.abspath(p) for p in paths]
    prefixes = tuple(root.rstrip(os.sep) + os.sep for root in roots)
    known = _KnownFiles(generation)
    try:
        return [
            path
            for path in known
            if path not in roots and not path.startswith(prefixes) and os.path.lexists(path)
        ]
    finally:
        known.close()


# --- one run -------------------------------------------------------------------------


@dataclass
class _Pending:
    """A file read in this run, and what its articles became."""

    found: FoundFile
    size: int
    mtime: float
    known: tuple[int, float, str] | None

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
    if item.found.kind != "records":
        return False
    threshold = SPLIT_RECORD_BYTES // 8 if item.found.compression else SPLIT_RECORD_BYTES
    return item.size >= threshold


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
            if len(raws) >= PIECE_RECORDS:
                yield _Piece(item, digest, raws, first, False)
                raws, first = [], False
    except FILE_FAILURES as exc:
        failure = file_failure(exc)
    yield _Piece(item, digest, raws, first, True, failure=failure)


def _take(work: Iterator[_Pending | _Piece], limit: int) -> tuple[list[_Pending | _Piece], bool]:
    """The next batch: files and pieces up to ``limit`` in weight (a file weighs 1,
    a piece its records); True when ``work`` is exhausted."""
    batch: list[_Pending | _Piece] = []
    weight = 0
    for item in work:
        batch.append(item)
        weight += item.weight
        if weight >= limit:
            return batch, False
    return batch, True


class _Run:
    """One indexing run into a new generation directory."""

    def __init__(self, paths, previous, generation, options, workers, progress, report, lock, reading: str) -> None:
        self.paths = paths
        self.previous: Path | None = previous
        self.generation: Path = generation
        self.options: IngestOptions = options
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.report: IndexReport = report
        self.lock = lock
        self.segments: list = []
        self.indexed = 0  # documents added to new segments
        self.done = 0
        self.total = 0
        self.vanished: list[str] = []
        self.batches_done = 0
        self.abandoned: set[str] = set()  # files dropped for an article that could not be indexed
        self.fields = options.field_map_fingerprint()
        self.reading = reading  # options.reading_fingerprint(), recorded in info.json
        self.records_kept = 0  # articles recorded so far from the big record file being read
        self.changed: Sequence[str] | None = None  # see build_index

    # -- setting up ----------------------------------------------------------------

    def run(self) -> bool:
        """Index into the new generation; False when nothing changed and none was written."""
        self.known_files = _KnownFiles(self.previous, lazy=self.changed is not None)
        scan = self._work(self._scan(self.known_files))
        first, scanned = _take(scan, BATCH_SIZE)  # if scanned, the walk is over and self.vanished known
        if scanned and not first and not self.vanished and self.previous is not None:
            self.report.documents = _read_info(self.previous).get("documents", 0)
            return False
        generation = self.generation
        generation.mkdir()
        linked: set[str] = set()
        if self.previous is not None:
            for item in self.previous.iterdir():
                if item.is_file() and item.name not in _PER_GENERATION and (
                    "WRITELOCK" not in item.name
                ):
                    os.link(item, generation / item.name)
                    linked.add(item.name)
            shutil.copy2(self.previous / "manifest.sqlite", generation / "manifest.sqlite")
            self.learned = _load_learned(self.previous / "learned.json")
        else:
            whoosh_index.create_in(str(generation), make_schema(), indexname=INDEX_NAME)
            self.learned = LearnedBoilerplate()
        self.manifest = Manifest(generation / "manifest.sqlite")
        committed = False
        try:
            if scanned:
                self._remove_vanished()
            self._index(first, None if scanned else scan)
            _checkpoint("segments-written")
            self._commit()
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
        _fsync_tree(generation, frozenset(linked))
        return True

    def _scan(self, known_files: _KnownFiles) -> Iterator[_Pending]:
        """Files to read, as they are found; unchanged ones counted.  At the end
        of the walk, ``self.vanished`` lists indexed files gone from the paths."""
        roots = [os.path.abspath(p) for p in self.paths]
        for root in roots:
            if not os.path.exists(root) and not os.path.islink(root):
                raise IndexProblem(f"{root}: no such file or directory")
        report = self.report
        seen: set[str] = set()

        def ignored(path: str, reason: str) -> None:
            report.ignored.append(Skipped(path, reason))

        if self.changed is not None:
            found_files = discover_changed(
                roots, self.changed, follow_links=self.options.follow_links, on_ignored=ignored
            )
        else:
            found_files = discover(roots, follow_links=self.options.follow_links, on_ignored=ignored)
        try:
            for found in found_files:
                path = str(found.path)
                seen.add(path)
                try:
                    stat = os.stat(path)
                except OSError as exc:
                    report.failed.append(Skipped(path, exc.strerror or "cannot stat"))
                    continue
                known = known_files.get(path)
                if (
                    known
                    and known[0] == stat.st_size
                    and known[1] == stat.st_mtime
                    and _same_mapping(found, known[2], self.fields)
                ):
                    report.unchanged += 1
                    continue
                yield _Pending(found, stat.st_size, stat.st_mtime, known)
        except ReadError as exc:
            raise IndexProblem(str(exc)) from None
        if self.changed is not None:
            gone = {os.path.abspath(p) for p in self.changed if not os.path.lexists(p)}
            self.vanished = sorted({path for root in gone for path in known_files.at_or_under(root)} - seen)
        else:
            prefixes = tuple(root.rstrip(os.sep) + os.sep for root in roots)
            self.vanished = [
                path for path in known_files if path not in seen and (path in roots or path.startswith(prefixes))
            ]
        known_files.close()
        _checkpoint("scanned")

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

    # -- the manifest side of articles -----------------------------------------------

    def _forget_file(self, path: str) -> None:
        """Undo a file's articles: learned counts, manifest rows, document membership."""
        for article_id, dup, source, keys in self.manifest.articles_of(path):
            self.learned.forget_keys(source, _split_keys(keys))
            self.manifest.remove_article(article_id)
            self.manifest.mark_dirty(dup)

    def _accept(self, pending: _Pending | _Piece, result: tuple) -> list[int]:
        """Record a file's extraction result; returns the positions of drafts to index."""
        if isinstance(pending, _Piece):
            return self._accept_piece(pending, result)
        report = self.report
        path = str(pending.found.path)
        status, digest, items = result
        if status == "unreadable":
            report.failed.append(Skipped(path, items))
            return []
        if status == "same":
            self.manifest.put_file(path, pending.size, pending.mtime, digest)
            report.unchanged += 1
            return []
        if pending.known is not None:
            self._forget_file(path)
        chosen, rows = self._accept_items(path, items)
        self.manifest.put_file(path, pending.size, pending.mtime, digest)
        if pending.known is not None:
            report.updated += 1
        elif rows:
            report.added += 1
        return chosen

    def _accept_piece(self, piece: _Piece, result: tuple) -> list[int]:
        """``_accept`` for a piece of a big record file (see ``_Piece``)."""
        report = self.report
        pending = piece.pending
        path = str(pending.found.path)
        if path in self.abandoned:  # an earlier piece failed: the next run reads it all again
            return []
        if piece.status == "failed":
            report.failed.append(Skipped(path, piece.failure or "cannot read"))
            return []
        if piece.status == "same":
            self.manifest.put_file(path, pending.size, pending.mtime, piece.digest)
            report.unchanged += 1
            return []
        if piece.first:
            self.records_kept = 0
            if pending.known is not None:
                self._forget_file(path)
        chosen, rows = self._accept_items(path, result[2])
        self.records_kept += rows
        if piece.failure:
            report.failed.append(Skipped(path, piece.failure))
        if piece.last:
            self.manifest.put_file(path, pending.size, pending.mtime, piece.digest)
            if pending.known is not None:
                report.updated += 1
            elif self.records_kept:
                report.added += 1
        return chosen

    def _accept_items(self, path: str, items: list[tuple]) -> tuple[list[int], int]:
        """Learn from and record a file's extracted items; returns the positions of the
        drafts to index and the number of articles recorded."""
        report = self.report
        rows = []
        chosen = []
        for position, item in enumerate(items):
            if item[0] == "skip":
                report.failed.append(Skipped(item[1], item[2]))
                continue
            _kind, article_id, dup, source, keys = item
            self.learned.observe_keys(source, _split_keys(keys))
            rows.append((article_id, path, dup, source, keys))
            if self.manifest.doc_of(dup) is None:
                self.manifest.set_doc(dup, article_id)
                self.manifest.mark_fresh(dup)
                chosen.append(position)
            else:
                self.manifest.mark_dirty(dup)
                report.duplicates += 1
        # INSERT OR REPLACE: an id read twice in one file (a record file's
        # numbering repeated) keeps its last copy.
        self.manifest.add_articles(rows)
        return chosen, len(rows)

    def _abandon(self, article_id: str, path: str, dup: str, reason: str) -> None:
        """An article that could not be cleaned: its group gets no document.

        The files of every copy are forgotten and dropped from the manifest,
        so the next run reads them again.
        """
        self.report.failed.append(Skipped(article_id, reason))
        for member_path in {member_path for _id, member_path in self.manifest.members(dup)} | {path}:
            self.abandoned.add(member_path)
            self._forget_file(member_path)
            self.manifest.remove_file(member_path)
        self.manifest.remove_doc(dup)
        self.manifest.unmark(dup)

    # -- reading, cleaning and writing, in batches ------------------------------------

    def _index(self, first: list[_Pending | _Piece], scan: Iterator[_Pending | _Piece] | None) -> None:
        """Read, learn from, clean and index the files the scan finds, in batches.

        ``first`` is the first batch; ``scan`` the rest of the walk, if it is
        not over yet, consumed a batch at a time as the work goes on (files
        gone from the paths are then removed at its end).
        """
        if not first:
            if self.progress:
                self.progress(0, 0)
            return
        weight = sum(item.weight for item in first)
        count = self.workers if scan is not None else max(1, min(self.workers, -(-weight // PARALLEL_MIN_FILES)))
        pool = _Pool(count, self.generation, self.options, self.lock.fileno())
        try:
            self._pipeline(pool, first, scan)
        finally:
            pool.close()

    def _pipeline(self, pool: _Pool, first: list[_Pending | _Piece], scan: Iterator[_Pending | _Piece] | None) -> None:
        """Extract batch k+1 and clean batch k-1 in the workers while the main
        process learns from batch k.  Batches are taken from the walk as it
        goes, so memory stays bounded however many files there are."""
        queued: deque[list[list[_Pending | _Piece]]] = deque()  # the shares of batches sent for extraction

        def send_next(batch: list[_Pending | _Piece]) -> None:
            shares = _split(batch, pool.size)
            queued.append(shares)
            self.total += len(batch)
            for worker, share in enumerate(shares):
                pool.send(worker, ("extract", len(queued) + self.batches_done - 1, [_work_item(i) for i in share]))

        def next_batch() -> list[_Pending | _Piece]:
            return _take(scan, BATCH_SIZE)[0] if scan is not None else []

        self.total = 0
        self.batches_done = 0
        send_next(first)
        while queued:
            following = next_batch()
            if following:
                send_next(following)
            if self.progress:
                self.progress(self.done, self.total)
            # Learn from the whole batch first, then let every worker clean its share.
            shares = queued.popleft()
            decided = []
            for worker, share in enumerate(shares):
                results = self._await(pool, worker, "extracted")
                choices = []
                sources: set[str | None] = set()
                for item, result in zip(share, results, strict=True):
                    chosen = self._accept(item, result)
                    sources.update(result[2][position][3] for position in chosen)
                    choices.append(chosen)
                decided.append((choices, sources))
            for worker, (choices, sources) in enumerate(decided):
                pool.send(worker, ("index", self.batches_done, choices, _learned_subset(self.learned, sources)))
            self.batches_done += 1
            _checkpoint("batch-learned")
        if scan is not None:
            self._remove_vanished()  # the walk is over
        for worker in range(pool.size):
            pool.send(worker, ("flush",))
        for worker in range(pool.size):
            self._await(pool, worker, "flushed")

    def _await(self, pool: _Pool, worker: int, kind: str):
        """Handle a worker's replies until the one of ``kind``; returns its payload."""
        while True:
            reply = pool.recv(worker)
            if reply[0] == "indexed":
                self._indexed(reply[1], reply[2], reply[3], reply[4])
            elif reply[0] == "flushed":
                self._segments_written(reply[1], reply[2])
            if reply[0] == kind:
                return reply[1] if kind == "extracted" else None

    def _indexed(self, outcomes: list, files: int, segments: list, added: int) -> None:
        for article_id, path, dup, failure, warnings in outcomes:
            if failure is not None:
                self._abandon(article_id, path, dup, failure)
            for warning in warnings:
                self.report.warnings.append((article_id, warning))
        self._segments_written(segments, added)
        self.done += files
        if self.progress:
            self.progress(self.done, self.total)

    def _segments_written(self, segments: list, added: int) -> None:
        self.segments.extend(segments)
        self.indexed += added

    # -- committing ----------------------------------------------------------------------

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
                raise IndexProblem(
                    f"index check failed: no document for {doc_id}; rebuild the index with --rebuild"
                )
            ids = [member_id for member_id, _path in members]
            primary, primary_path = next(((i, p) for i, p in members if i == doc_id), members[0])
            stored.update(id=primary, short_id=short_id(primary), path=primary_path)
            stored["paths"] = ids if len(ids) > 1 else None
            builder.add(document_fields(stored))
            self.manifest.set_doc(dup, primary)
            if builder.estimated_bytes > SEGMENT_MEMORY:  # a changed huge record file rewrites many
                segments.append(builder.write())
        last = builder.write()
        return [*segments, last] if last is not None else segments


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
    while rest and len(rest) + (1 if merge else 0) > MAX_SEGMENTS and merged_docs + rest[0].doc_count() <= full:
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
                if builder.estimated_bytes > SEGMENT_MEMORY:
                    merged.append(builder.write())
        finally:
            reader.close()
    last = builder.write()
    return [*kept, *merged, last] if last is not None else [*kept, *merged]


def _split(items: list[_Pending | _Piece], parts: int) -> list[list[_Pending | _Piece]]:
    """Contiguous shares of nearly equal weight (order kept: learning follows file order)."""
    total = sum(item.weight for item in items)
    shares: list[list[_Pending | _Piece]] = [[] for _ in range(parts)]
    done = 0
    for item in items:
        shares[min(parts - 1, done * parts // total)].append(item)
        done += item.weight
    return shares


def _work_item(item: _Pending | _Piece) -> tuple:
    """What a worker is sent to extract: a file to read and hash, or records read already."""
    if isinstance(item, _Piece):
        return ("records", item.raws)
    return ("file", item.found, item.known[2] if item.known else None)


#: Up to this many indexed files, the scan loads them all at once (faster than
#: a query per file; about 100 MB at the limit); beyond, it asks file by file.
KNOWN_FILES_IN_MEMORY = 500_000


class _KnownFiles:
    """The files in the committed generation's manifest (read-only)."""

    def __init__(self, generation: Path | None, lazy: bool = False) -> None:
        """``lazy``: ask file by file (a run told which few files changed)."""
        self.db = None
        self.loaded: dict[str, tuple[int, float, str]] | None = {}
        if generation is None:
            return
        try:
            self.db = sqlite3.connect(f"file:{quote(str(generation / 'manifest.sqlite'))}?mode=ro", uri=True)
            if lazy:
                self.loaded = None
            elif self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0] <= KNOWN_FILES_IN_MEMORY:
                self.loaded = {row[0]: row[1:] for row in self.db.execute("SELECT path, size, mtime, hash FROM files")}
            else:
                self.loaded = None
        except sqlite3.Error as exc:
            raise IndexProblem(f"cannot read the manifest of {generation}: {exc}; rebuild with --rebuild") from None

    def get(self, path: str) -> tuple[int, float, str] | None:
        if self.loaded is not None:
            return self.loaded.get(path)
        return self.db.execute("SELECT size, mtime, hash FROM files WHERE path = ?", (path,)).fetchone()

    def __iter__(self) -> Iterator[str]:
        if self.loaded is not None:
            yield from self.loaded
        elif self.db is not None:
            for (path,) in self.db.execute("SELECT path FROM files"):
                yield path

    def at_or_under(self, path: str) -> list[str]:
        """Indexed files at ``path`` or inside the folder it names."""
        if self.db is None:
            return []
        folder = path.rstrip(os.sep) + os.sep
        rows = self.db.execute(
            "SELECT path FROM files WHERE path = ? OR (path >= ? AND path < ?)",
            (path, folder, folder[:-1] + chr(ord(os.sep) + 1)),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def _load_learned(path: Path) -> LearnedBoilerplate:
    try:
        return LearnedBoilerplate.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return LearnedBoilerplate()


def _learned_subset(learned: LearnedBoilerplate, sources: set[str | None]) -> dict:
    """The learned counts of the sources a worker will clean (all the cleaner reads)."""
    keys = {(source or "").strip().lower() for source in sources}
    whole = learned.to_dict()
    return {
        "version": whole.get("version"),
        "documents": {k: v for k, v in whole.get("documents", {}).items() if k in keys},
        "counts": {k: v for k, v in whole.get("counts", {}).items() if k in keys},
    }


# --- worker processes ------------------------------------------------------------------


class _Worker:
    """Reads, extracts, cleans and indexes its share of each batch.

    Runs in a worker process, or in the main process for small runs; either
    way it only talks through ``handle(message) -> reply``.
    """

    def __init__(self, generation: Path, options: IngestOptions) -> None:
        self.options = options
        self.field_map = options.field_map()
        self.fields = options.field_map_fingerprint()
        self.rules = options.rules()
        self.builder = SegmentBuilder(generation, make_schema(), INDEX_NAME, fast_text=_FAST_TEXT)
        self.held: dict[int, list[list[tuple[Draft, str] | None]]] = {}

    def handle(self, message: tuple) -> tuple:
        if message[0] == "extract":
            return ("extracted", self._extract(message[1], message[2]))
        if message[0] == "index":
            return self._index(message[1], message[2], message[3])
        if message[0] == "flush":
            segment = self.builder.write()
            return ("flushed", [segment] if segment is not None else [], 0)
        raise ValueError(f"unknown message {message[0]!r}")

    def _extract(self, batch: int, work: list[tuple]) -> list[tuple]:
        results = []
        held = []
        for item in work:
            if item[0] == "records":
                items, drafts = self._drafts(draft_from_raw(raw, self.options, self.field_map) for raw in item[1])
                results.append(("piece", "", items))
                held.append(drafts)
                continue
            _kind, found, known_digest = item
            data = self._whole_file(found)
            try:
                digest = stored_digest(found, self.fields) if data is None else _bytes_digest(data)
            except OSError as exc:
                results.append(("unreadable", "", exc.strerror or "cannot read"))
                held.append([])
                continue
            if digest == known_digest:
                results.append(("same", digest, []))
                held.append([])
                continue
            items, drafts = self._drafts(drafts_from_file(found, self.options, self.field_map, data))
            results.append(("read", digest, items))
            held.append(drafts)
        _checkpoint("worker-extracted")
        self.held[batch] = held
        return results

    def _whole_file(self, found: FoundFile) -> bytes | None:
        """An uncompressed text or HTML file's bytes, read once for both its digest and
        its text.  ``None`` for the rest: record files stream, a compressed file's
        digest is of what is on disk, and a file the reader refuses is left to it."""
        if found.kind == "records" or found.compression:
            return None
        try:
            return read_bytes(found, self.options.max_bytes)
        except ReadError:
            return None

    @staticmethod
    def _drafts(extracted: Iterable[Draft | Skipped]) -> tuple[list[tuple], list[tuple[Draft, str] | None]]:
        """What the main process needs to decide about each draft, and the drafts held for indexing."""
        items = []
        drafts: list[tuple[Draft, str] | None] = []
        for draft in extracted:
            if isinstance(draft, Skipped):
                items.append(("skip", draft.path, draft.reason))
                drafts.append(None)
                continue
            key = dup_key(draft)
            items.append(("draft", draft.id, key, draft.source, _learn_keys(draft)))
            drafts.append((draft, key))
        return items, drafts

    def _index(self, batch: int, choices: list[list[int]], learned_counts: dict) -> tuple:
        learned = LearnedBoilerplate.from_dict(learned_counts)
        held = self.held.pop(batch)
        outcomes = []
        segments = []
        added = 0
        for drafts, chosen in zip(held, choices, strict=True):
            for position in chosen:
                draft, key = drafts[position]
                try:
                    article = article_from_draft(draft, self.rules, learned)
                    self.builder.add(document_fields(article_record(article)))
                except Exception as exc:
                    reason = f"could not index: {type(exc).__name__}: {exc}"[:300]
                    outcomes.append((draft.id, draft.path, key, reason, []))
                    continue
                added += 1
                if article.warnings:
                    outcomes.append((article.id, draft.path, key, None, list(article.warnings)))
                if self.builder.estimated_bytes > SEGMENT_MEMORY:
                    segments.append(self.builder.write())
            _checkpoint("worker-indexing")
        return ("indexed", outcomes, len(held), segments, added)


class _Local:
    """The ``_Pool`` interface for the one in-process worker."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.replies: deque = deque()

    def put(self, message: tuple) -> None:
        self.replies.append(self.worker.handle(message))

    def get(self, timeout: float | None = None) -> tuple:
        return self.replies.popleft()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the main process dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _worker_main(inbox, outbox, generation: Path, options: IngestOptions, lock_fd: int, parent: int) -> None:
    """A worker process: handle messages until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if lock_fd >= 0:
        with contextlib.suppress(OSError):
            os.close(lock_fd)  # the lock must end with the main process, not outlive it here
    _die_with_parent(parent)
    gc.disable()
    worker = _Worker(generation, options)
    while True:
        message = inbox.get()
        if message[0] == "stop":
            outbox.close()
            outbox.join_thread()
            return
        try:
            reply = worker.handle(message)
        except OSError as exc:
            reply = ("error", "os", exc.strerror or str(exc))
        except BaseException as exc:
            reply = ("error", type(exc).__name__, " ".join(str(exc).split())[:300])
        outbox.put(reply)


class _Pool:
    """Worker processes (or one in-process worker), each with its own queues.

    Queues, not pipes: sending never blocks the main process, so a large
    command and a large reply in flight at once cannot deadlock.  A worker
    that dies or fails stops the run with a clear ``IndexProblem``.
    """

    def __init__(self, size: int, generation: Path, options: IngestOptions, lock_fd: int) -> None:
        self.size = size
        self.processes: list = []
        if size == 1:
            local = _Local(_Worker(generation, options))
            self.inboxes = self.outboxes = [local]
            return
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        self.inboxes = [context.Queue() for _ in range(size)]
        self.outboxes = [context.Queue() for _ in range(size)]
        for number in range(size):
            process = context.Process(
                target=_worker_main,
                args=(self.inboxes[number], self.outboxes[number], generation, options, lock_fd, os.getpid()),
                daemon=True,
                name=f"newsindex-worker-{number}",
            )
            process.start()
            self.processes.append(process)

    def send(self, worker: int, message: tuple) -> None:
        self.inboxes[worker].put(message)

    def recv(self, worker: int) -> tuple:
        while True:
            try:
                reply = self.outboxes[worker].get(timeout=0.5)
                break
            except Exception as exc:  # queue.Empty: check the worker is still there
                if not self.processes or type(exc).__name__ != "Empty":
                    raise
                process = self.processes[worker]
                if not process.is_alive():
                    raise IndexProblem(
                        f"an indexing worker process died (exit code {process.exitcode}); "
                        "the previous index is unchanged"
                    ) from None
        if reply[0] == "error":
            if reply[1] == "os":
                raise OSError(reply[2])
            raise IndexProblem(f"indexing failed in a worker: {reply[1]}: {reply[2]}")
        return reply

    def close(self) -> None:
        if not self.processes:
            return
        for inbox, process in zip(self.inboxes, self.processes, strict=True):
            if process.is_alive():
                with contextlib.suppress(Exception):
                    inbox.put(("stop",))
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        for queue in (*self.inboxes, *self.outboxes):
            queue.close()
            queue.cancel_join_thread()
