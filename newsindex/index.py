"""Stage 4, index: a crash-safe, incremental Whoosh index of articles.

Layout of an index directory::

    DIR/CURRENT        name of the committed generation (replaced atomically)
    DIR/LOCK           held by the one running writer
    DIR/gen-000007/    a whole Whoosh index + manifest.sqlite + learned.json

Whoosh commits are not atomic across files, so a run never writes into the
committed generation: it hard-links that generation's files into a new
directory (Whoosh never rewrites a segment file in place), writes and commits
there, and only then points ``CURRENT`` at it with an atomic rename.  A kill at
any moment leaves ``CURRENT`` naming a whole index; leftovers of the dead run
are cleared by the next one.  Searchers open whatever ``CURRENT`` names, so
they keep working while a run is in progress.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import news_analyzer
from .clean import LearnedBoilerplate
from .dedup import sketch
from .ingest import IngestOptions, article_from_draft, drafts_from_file
from .models import Article, Draft, Skipped
from .read import FoundFile, ReadError, discover

INDEX_NAME = "articles"
FORMAT_VERSION = 1
_GEN_PREFIX = "gen-"
#: Drafts learned from and cleaned together: bounds memory, and lets a new
#: source's template lines be learned from its first articles before they
#: are cleaned.
BATCH_SIZE = 2000


class IndexProblem(Exception):
    """A problem with the index as a whole (missing, locked, incompatible)."""


def short_id(article_id: str) -> str:
    """A short, stable handle for ``show`` and ``similar``."""
    return hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


def make_schema() -> Schema:
    analyzer = news_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        short_id=ID(stored=True),
        path=ID(stored=True),
        url=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        authors=KEYWORD(lowercase=True, commas=True, scorable=True),
        source=KEYWORD(lowercase=True, commas=True),
        section=KEYWORD(lowercase=True, commas=True),
        published=DATETIME(stored=True, sortable=True),
        year=NUMERIC(stored=False, sortable=True),
        month=ID(sortable=True),
        meta=STORED(),  # display metadata: authors, source, section, date_only
        content_hash=ID(stored=True),
        sketch=KEYWORD(stored=True),  # near-duplicate sketch, see dedup.py
    )


# --- locating and opening -------------------------------------------------------


def default_index_dir() -> Path:
    """``$NEWSINDEX_INDEX``, else the per-user data directory."""
    env = os.environ.get("NEWSINDEX_INDEX")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base, "newsindex", "index")


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexProblem(f"cannot read index at {index_dir}: {exc.strerror}") from None
    if not name.startswith(_GEN_PREFIX) or "/" in name:
        raise IndexProblem(f"index at {index_dir} is damaged (bad CURRENT file); rebuild it with --rebuild")
    return index_dir / name


def open_index(index_dir: Path):
    """Open the committed generation for searching."""
    generation = current_generation(index_dir)
    if generation is None:
        if index_dir.exists() and any(index_dir.glob("*.toc")):
            raise IndexProblem(f"{index_dir} holds an index of another program or version; rebuild it with --rebuild")
        raise IndexProblem(f"no index at {index_dir}; create one with: newsindex index PATH --index {index_dir}")
    info = _read_info(generation)
    if info.get("format") != FORMAT_VERSION:
        raise IndexProblem(
            f"index at {index_dir} was made by another version of newsindex (format {info.get('format')}); "
            "rebuild it with: newsindex index PATH --rebuild"
        )
    try:
        return whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
    except Exception as exc:
        raise IndexProblem(
            f"cannot open index at {index_dir} ({type(exc).__name__}); rebuild it with --rebuild"
        ) from None


def _read_info(generation: Path) -> dict:
    try:
        return json.loads((generation / "info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# --- the manifest of indexed files ------------------------------------------------


class Manifest:
    """Which files are indexed, as what: the memory of incremental runs."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime REAL, hash TEXT, ids TEXT)"
        )

    def get(self, path: str) -> tuple[int, float, str, list[str]] | None:
        row = self.db.execute("SELECT size, mtime, hash, ids FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        return row[0], row[1], row[2], json.loads(row[3])

    def put(self, path: str, size: int, mtime: float, file_hash: str, ids: Sequence[str]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", (path, size, mtime, file_hash, json.dumps(list(ids)))
        )

    def remove(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def paths_under(self, roots: Sequence[str]) -> Iterator[str]:
        for (path,) in self.db.execute("SELECT path FROM files"):
            if any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
                yield path

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# --- the writer -------------------------------------------------------------------


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
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "index": self.index_dir,
        }


class IndexLocked(IndexProblem):
    pass


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

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.close()


@dataclass
class _Work:
    found: FoundFile
    size: int
    mtime: float
    digest: str
    old_ids: list[str]


def _extract_file(args: tuple[FoundFile, IngestOptions]) -> list[Draft | Skipped]:
    found, options = args
    return list(drafts_from_file(found, options, options.field_map()))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
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


def _article_fields(article: Article) -> dict:
    published = article.published.astimezone(timezone.utc).replace(tzinfo=None) if article.published else None
    fields = {
        "id": article.id,
        "short_id": short_id(article.id),
        "path": article.path,
        "url": article.url,
        "title": article.title,
        "body": article.text,
        "authors": ",".join(a.replace(",", " ") for a in article.authors),
        "source": (article.source or "").replace(",", " "),
        "section": (article.section or "").replace(",", " "),
        "meta": {
            "authors": article.authors,
            "source": article.source,
            "section": article.section,
            "date_only": article.date_only,
        },
        "content_hash": article.content_hash,
        "sketch": " ".join(sketch(article.text)),
    }
    if published is not None:
        fields["published"] = published
        fields["year"] = published.year
        fields["month"] = f"{published.year:04d}-{published.month:02d}"
    return fields


ProgressFn = Callable[[int, int], None]


def build_index(
    paths: Sequence[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    options: IngestOptions | None = None,
    rebuild: bool = False,
    workers: int | None = None,
    progress: ProgressFn | None = None,
) -> IndexReport:
    """Index (incrementally, unless ``rebuild``) every article under ``paths``.

    ``progress(done, total)`` is called as files are processed.  Raises
    ``IndexProblem`` for whole-index problems (lock held, bad paths); problems
    with single files are reported in the returned ``IndexReport``.
    """
    started = time.perf_counter()
    options = options or IngestOptions()
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexProblem(f"cannot create index directory {index_dir}: {exc.strerror}") from None
    report = IndexReport(index_dir=str(index_dir))
    with _Lock(index_dir):
        previous = None if rebuild else current_generation(index_dir)
        if previous is not None and _read_info(previous).get("format") != FORMAT_VERSION:
            raise IndexProblem(f"index at {index_dir} was made by another version of newsindex; use --rebuild")
        _remove_stale_generations(index_dir, keep={previous.name} if previous else set())
        generation = index_dir / _next_generation_name(index_dir)
        try:
            _write_generation(paths, previous, generation, options, workers, progress, report)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        _publish(index_dir, generation)
        _remove_stale_generations(index_dir, keep={generation.name} | ({previous.name} if previous else set()))
    report.seconds = time.perf_counter() - started
    return report


def _write_generation(
    paths: Sequence[str | os.PathLike[str]],
    previous: Path | None,
    generation: Path,
    options: IngestOptions,
    workers: int | None,
    progress: ProgressFn | None,
    report: IndexReport,
) -> None:
    generation.mkdir()
    if previous is not None:
        for item in previous.iterdir():
            if item.is_file() and item.name not in {"manifest.sqlite", "info.json"}:
                os.link(item, generation / item.name)
        shutil.copy2(previous / "manifest.sqlite", generation / "manifest.sqlite")
        ix = whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
    else:
        ix = whoosh_index.create_in(str(generation), make_schema(), indexname=INDEX_NAME)
    learned_path = generation / "learned.json"
    learned = LearnedBoilerplate()
    if learned_path.exists():
        # A hard link to the previous generation's file: read it, then replace
        # (never modify) it, so the previous generation stays intact.
        learned = LearnedBoilerplate.from_dict(json.loads(learned_path.read_text(encoding="utf-8")))
        learned_path.unlink()
    manifest = Manifest(generation / "manifest.sqlite")
    rules = options.rules()

    roots = [os.path.abspath(p) for p in paths]
    for root in roots:
        if not os.path.exists(root) and not os.path.islink(root):
            raise IndexProblem(f"{root}: no such file or directory")

    def ignored(path: str, reason: str) -> None:
        report.ignored.append(Skipped(path, reason))

    todo: list[_Work] = []
    seen_paths: set[str] = set()
    try:
        for found in discover(roots, follow_links=options.follow_links, on_ignored=ignored):
            path = str(found.path)
            seen_paths.add(path)
            try:
                stat = found.path.stat()
            except OSError as exc:
                report.failed.append(Skipped(path, exc.strerror or "cannot stat"))
                continue
            known = manifest.get(path)
            if known and known[0] == stat.st_size and known[1] == stat.st_mtime:
                report.unchanged += 1
                continue
            try:
                digest = file_digest(found.path)
            except OSError as exc:
                report.failed.append(Skipped(path, exc.strerror or "cannot read"))
                continue
            if known and known[2] == digest:
                manifest.put(path, stat.st_size, stat.st_mtime, digest, known[3])
                report.unchanged += 1
                continue
            todo.append(_Work(found, stat.st_size, stat.st_mtime, digest, known[3] if known else []))
    except ReadError as exc:
        raise IndexProblem(str(exc)) from None

    writer = ix.writer(limitmb=128)
    try:
        for gone in [p for p in manifest.paths_under(roots) if p not in seen_paths]:
            known = manifest.get(gone)
            for doc_id in known[3] if known else []:
                writer.delete_by_term("id", doc_id)
            manifest.remove(gone)
            report.removed += 1
        _index_files(todo, options, rules, learned, writer, manifest, workers, progress, report)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        manifest.close()
    with ix.searcher() as searcher:
        report.documents = searcher.doc_count()
    learned_path.write_text(json.dumps(learned.to_dict()), encoding="utf-8")
    (generation / "info.json").write_text(
        json.dumps({"format": FORMAT_VERSION, "documents": report.documents, "written": time.time()}), encoding="utf-8"
    )
    _fsync_tree(generation)


def _index_files(
    todo: list[_Work],
    options: IngestOptions,
    rules,
    learned: LearnedBoilerplate,
    writer,
    manifest: Manifest,
    workers: int | None,
    progress: ProgressFn | None,
    report: IndexReport,
) -> None:
    total = len(todo)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    done = 0
    if progress:
        progress(0, total)
    for start in range(0, total, BATCH_SIZE):
        batch = todo[start : start + BATCH_SIZE]
        results = _extract_batch(batch, options, workers)
        # Learn the batch's template lines first, then clean with them.
        for drafts in results:
            for item in drafts:
                if isinstance(item, Draft):
                    learned.observe(item.source, item.paragraphs)
        for work, drafts in zip(batch, results, strict=True):
            path = str(work.found.path)
            ids: list[str] = []
            for item in drafts:
                if isinstance(item, Skipped):
                    report.failed.append(item)
                    continue
                try:
                    article = article_from_draft(item, rules, learned)
                except Exception as exc:
                    report.failed.append(Skipped(item.id, f"could not clean: {type(exc).__name__}: {exc}"[:300]))
                    continue
                for warning in article.warnings:
                    report.warnings.append((article.id, warning))
                writer.update_document(**_article_fields(article))
                ids.append(article.id)
            for stale in set(work.old_ids) - set(ids):
                writer.delete_by_term("id", stale)
            if work.old_ids:
                report.updated += 1
            elif ids:
                report.added += 1
            manifest.put(path, work.size, work.mtime, work.digest, ids)
            done += 1
            if progress:
                progress(done, total)


def _extract_batch(batch: list[_Work], options: IngestOptions, workers: int) -> list[list[Draft | Skipped]]:
    if workers <= 1 or len(batch) < 64:
        return [_extract_file((work.found, options)) for work in batch]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        jobs = [(work.found, options) for work in batch]
        return list(pool.map(_extract_file, jobs, chunksize=32))


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


def index_disk_size(index_dir: Path) -> int:
    generation = current_generation(index_dir)
    if generation is None:
        return 0
    return sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
