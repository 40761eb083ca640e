"""The manifest of indexed files: which file holds which articles, which article is which document,
and each file's digest.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from ..clean.learned import LearnedBoilerplate
from ..digests import parts_digest
from ..engine.whoosh.store import (
    IndexProblem,
)
from ..models import Draft, Skipped
from ..read import FoundFile
from .folders import indexed_folders  # noqa: F401 - the indexer imports it from here
from .stamps import STAMPS_FILE, StampChanges, Stamps, read_stamps


class Manifest:
    """What is indexed, as what: the memory of incremental runs.

    ``files``: every file read, with size, mtime and content hash.
    ``articles``: every article read from them, with its duplicate key and
    its ``LearnedBoilerplate.document_keys``, which undo its observation.
    ``docs``: the Whoosh document (by id) standing for each duplicate key.
    ``roots``: the paths given to ``newsindex index`` (absolute), the folders
    indexed, until ``newsindex remove`` drops them.
    ``failures``: what could not be indexed in each file in ``files`` (the file, or
    a record or article of it: ``id``), with the reason, so a run that finds the
    file unchanged lists it again; forgotten with the file's old version.
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
            CREATE TABLE IF NOT EXISTS failures (path TEXT NOT NULL, id TEXT NOT NULL, reason TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS roots (path TEXT PRIMARY KEY);
            CREATE INDEX IF NOT EXISTS failures_path ON failures (path);
            CREATE TEMP TABLE dirty (dup TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TEMP TABLE fresh (dup TEXT PRIMARY KEY) WITHOUT ROWID;
            """
        )
        self.db.execute("BEGIN")
        #: Whether the index held no document when the run began: then every document the run
        #: claims is new, and ``fresh`` is not kept (a first build claims one per article).
        self._all_fresh = self.db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None
        #: The files' stamps as this run changes them, for the stamps file.
        self.stamp_changes = StampChanges()

    def put_file(self, path: str, size: int, mtime: float, digest: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (path, size, mtime, digest))
        self.stamp_changes.put(path, (size, mtime))

    def remove_file(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))
        self.stamp_changes.put(path, None)

    def add_roots(self, paths: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO roots VALUES (?)", ((path,) for path in paths))

    def remove_roots(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM roots WHERE path = ?", ((path,) for path in paths))

    def add_failure(self, path: str, failed: Skipped) -> None:
        self.db.execute("INSERT INTO failures VALUES (?, ?, ?)", (path, failed.path, failed.reason))

    def remove_failures(self, path: str) -> None:
        self.db.execute("DELETE FROM failures WHERE path = ?", (path,))

    def failures_of(self, path: str) -> list[Skipped]:
        rows = self.db.execute("SELECT id, reason FROM failures WHERE path = ? ORDER BY rowid", (path,))
        return [Skipped(item, reason) for item, reason in rows]

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

    def claim_doc(self, dup: str, doc_id: str) -> bool:
        """Make ``doc_id`` the document of group ``dup`` if it has none; whether it did
        (one statement where ``doc_of`` and ``set_doc`` were two, for every article read)."""
        return self.db.execute("INSERT OR IGNORE INTO docs VALUES (?, ?)", (dup, doc_id)).rowcount == 1

    def set_doc(self, dup: str, doc_id: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?)", (dup, doc_id))

    def remove_doc(self, dup: str) -> None:
        self.db.execute("DELETE FROM docs WHERE dup = ?", (dup,))

    def mark_dirty(self, dup: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO dirty VALUES (?)", (dup,))

    def mark_fresh(self, dup: str) -> None:
        if not self._all_fresh:
            self.db.execute("INSERT OR IGNORE INTO fresh VALUES (?)", (dup,))

    def unmark(self, dup: str) -> None:
        self.db.execute("DELETE FROM dirty WHERE dup = ?", (dup,))
        self.db.execute("DELETE FROM fresh WHERE dup = ?", (dup,))

    def is_fresh(self, dup: str) -> bool:
        """Whether the document of ``dup`` was claimed in this run (and is still its document)."""
        return self._all_fresh or self.db.execute("SELECT 1 FROM fresh WHERE dup = ?", (dup,)).fetchone() is not None

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


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
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


def under(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies inside it (both absolute)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def dup_key(draft: Draft) -> str:
    """What makes two articles the same: text and metadata, not where they were found.

    A folder's name is never an outlet, so copies of one file in two folders are
    one article (unless the configuration names two outlets for them).
    """
    source = draft.source or ""
    published = draft.published.isoformat() if draft.published else ""
    parts = (draft.title, *draft.paragraphs, "\x01", source, published, str(draft.date_only), draft.url or "")
    labels = (*draft.authors, "\x01", draft.section or "")
    return parts_digest((*parts, *labels))  # the key of every manifest: unchanged


def _learn_keys(draft: Draft) -> str:
    """What the learned boilerplate counts of a draft, as the manifest keeps it: its
    ``document_keys`` (a few short hashes) joined by spaces.  Computed in the worker
    processes; the main process only adds them up, and ``forget_keys`` takes them
    back when the file changes or goes."""
    return " ".join(LearnedBoilerplate.document_keys(draft.paragraphs))


def _split_keys(text: str | None) -> list[str]:
    return text.split() if text else []


#: Up to this many indexed files, the scan loads them all at once (faster than
#: a query per file; about 100 MB at the limit); beyond, it asks file by file.
KNOWN_FILES_IN_MEMORY = 500_000


class _KnownFiles:
    """The files in the committed generation's manifest (read-only).

    Their sizes and mtimes, all a walk compares, are held in memory as ``Stamps`` (from
    the generation's stamps file, or the manifest's table when it has none); the content
    hash of the few files a run reads is asked for file by file (``get``).  Loading the
    hashes of every file took a quarter of the manifest's load at 200,000 files.
    """

    def __init__(self, generation: Path | None, lazy: bool = False) -> None:
        """``lazy``: ask file by file (a run told which few files changed)."""
        self.db = None
        self.stamps: Stamps | None = Stamps({}, [], [])
        self.failures: dict[str, list[Skipped]] = {}
        self.roots: set[str] = set()
        if generation is None:
            return
        try:
            self.db = sqlite3.connect(f"file:{quote(str(generation / 'manifest.sqlite'))}?mode=ro", uri=True)
            if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'roots'").fetchone():
                self.roots = {path for (path,) in self.db.execute("SELECT path FROM roots")}
            if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'failures'").fetchone():
                for path, item, reason in self.db.execute("SELECT path, id, reason FROM failures ORDER BY rowid"):
                    self.failures.setdefault(path, []).append(Skipped(item, reason))
            if lazy:
                self.stamps = None
            else:
                count = self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
                if not held_in_memory(count):
                    self.stamps = None  # asked file by file (``asked``)
                else:
                    self.stamps = read_stamps(generation / STAMPS_FILE, count) or _rows_stamps(self.db)
        except sqlite3.Error as exc:
            raise IndexProblem(f"cannot read the manifest of {generation}: {exc}; rebuild with --rebuild") from None

    def asked(self) -> Stamps:
        """The stamps a walk compares with: those in memory, or (not loaded) stamps that ask
        the manifest for each path as the walk meets it."""
        if self.stamps is not None:
            return self.stamps
        sizes: list[int] = []
        mtimes: list[float] = []
        return Stamps(_AskedPlaces(self.db, sizes, mtimes), sizes, mtimes)

    def get(self, path: str) -> tuple[int, float, str] | None:
        """``(size, mtime, content hash)`` of an indexed file, or None."""
        if self.db is None:
            return None
        return self.db.execute("SELECT size, mtime, hash FROM files WHERE path = ?", (path,)).fetchone()

    def __iter__(self) -> Iterator[str]:
        if self.stamps is not None:
            yield from self.stamps.place
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


def held_in_memory(files: int) -> bool:
    """Whether a run holds the stamps of ``files`` indexed files in memory (more are asked of
    the manifest file by file, and no stamps file is kept for them)."""
    return files <= KNOWN_FILES_IN_MEMORY


def table_stamps(db: sqlite3.Connection) -> Stamps | None:
    """Every file's stamp in the manifest open as ``db``; None when there are more files
    than are held in memory."""
    if not held_in_memory(db.execute("SELECT COUNT(*) FROM files").fetchone()[0]):
        return None
    return _rows_stamps(db)


def _rows_stamps(db: sqlite3.Connection) -> Stamps:
    return Stamps.from_rows(db.execute("SELECT path, size, mtime FROM files").fetchall())


class _AskedPlaces(dict):
    """``Stamps.place`` for a manifest not held in memory: ``get`` asks it for a path not
    asked before and puts the answer in the stamps' lists."""

    def __init__(self, db: sqlite3.Connection | None, sizes: list[int], mtimes: list[float]) -> None:
        super().__init__()
        self.db, self.sizes, self.mtimes = db, sizes, mtimes

    def get(self, path: str, default: int | None = None) -> int | None:
        if path in self:
            return self[path]
        row = self.db.execute("SELECT size, mtime FROM files WHERE path = ?", (path,)).fetchone() if self.db else None
        if row is None:
            return default
        self[path] = len(self.sizes)
        self.sizes.append(row[0])
        self.mtimes.append(row[1])
        return self[path]
