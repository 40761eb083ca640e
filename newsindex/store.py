"""The read side of an index: where it lives, its schema, opening it.

Kept apart from ``index`` (the writer) so that a search imports only this
and Whoosh's reader, not the extraction, cleaning and segment-writing code:
a search is a whole process start, and imports are most of its time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import news_analyzer

INDEX_NAME = "articles"
#: 2: ``paths`` of duplicates, sketch indexed by its smallest values, manifest of articles.
#: 3: the manifest keeps each article's learned-boilerplate keys, not its paragraphs.
FORMAT_VERSION = 3
_GEN_PREFIX = "gen-"


class IndexProblem(Exception):
    """A problem with the index as a whole (missing, locked, incompatible, unwritable)."""


class IndexLocked(IndexProblem):
    """Another process is writing the index."""


def short_id(article_id: str) -> str:
    """A short, stable handle for ``show`` and ``similar``."""
    return hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


def make_schema() -> Schema:
    analyzer = news_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        short_id=ID(stored=True),
        path=ID(stored=True),
        paths=STORED(),  # every id sharing this document's content, when there are several
        url=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        authors=KEYWORD(lowercase=True, commas=True, scorable=True),
        source=KEYWORD(lowercase=True, commas=True),
        section=KEYWORD(lowercase=True, commas=True),
        published=DATETIME(stored=True, sortable=True),  # indexed by day, stored and sorted exactly
        year=NUMERIC(stored=False, sortable=True),
        month=ID(sortable=True),
        meta=STORED(),  # display metadata: authors, source, section, date_only
        content_hash=ID(stored=True),
        sketch=KEYWORD(stored=True),  # near-duplicate sketch, see dedup.py; SKETCH_INDEXED of it indexed
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


def _format_problem(index_dir: Path, found) -> IndexProblem:
    return IndexProblem(
        f"index at {index_dir} was made by another version of newsindex (format {found}, this one reads "
        f"{FORMAT_VERSION}); rebuild it with: newsindex index PATH --rebuild"
    )


def open_index(index_dir: Path):
    """Open the committed generation for searching."""
    generation = current_generation(index_dir)
    if generation is None:
        if index_dir.exists() and any(index_dir.glob("*.toc")):
            raise IndexProblem(f"{index_dir} holds an index of another program or version; rebuild it with --rebuild")
        raise IndexProblem(f"no index at {index_dir}; create one with: newsindex index PATH --index {index_dir}")
    info = _read_info(generation)
    if info.get("format") != FORMAT_VERSION:
        raise _format_problem(index_dir, info.get("format"))
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


def index_disk_size(index_dir: Path) -> int:
    generation = current_generation(index_dir)
    if generation is None:
        return 0
    return sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
