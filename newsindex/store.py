"""The read side of an index: where it lives, its schema, opening it.

Kept apart from ``index`` (the writer) so that a search imports only this
and Whoosh's reader, not the extraction, cleaning and segment-writing code:
a search is a whole process start, and imports are most of its time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from array import array
from bisect import bisect_right
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.columns import FixedBytesColumn
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import news_analyzer
from .dedup import PACKED_SIZE, pack_sketch

INDEX_NAME = "articles"
#: 2: ``paths`` of duplicates, sketch indexed by its smallest values, manifest of articles.
#: 3: the manifest keeps each article's learned-boilerplate keys, not its paragraphs.
#: 4: the whole sketch also in a column.
#: 5: undated articles carry ``UNDATED_MONTH`` in the month field.
FORMAT_VERSION = 5
#: The month term of an article without a date.
UNDATED_MONTH = "undated"
_GEN_PREFIX = "gen-"


class IndexProblem(Exception):
    """A problem with the index as a whole (missing, locked, incompatible, unwritable)."""


class IndexLocked(IndexProblem):
    """Another process is writing the index."""


def short_id(article_id: str) -> str:
    """A short, stable handle for ``show`` and ``similar``."""
    return hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


class SketchField(KEYWORD):
    """The near-duplicate sketch (dedup.py): its smallest values indexed as keywords,
    the whole of it in a fixed-width column.

    Counting a hit's near-duplicates compares its sketch with every article
    sharing an indexed value; the column gives those sketches for a few
    microseconds each, where the stored fields would unpickle whole articles.
    """

    def __init__(self) -> None:
        super().__init__(stored=True)
        self.column_type = FixedBytesColumn(PACKED_SIZE, default=pack_sketch([]))

    def to_column_value(self, value: str) -> bytes:
        return pack_sketch(value.split())

    def from_column_value(self, value: bytes) -> bytes:
        return value


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
        content_hash=STORED(),  # shown by `show`; duplicates are found through the manifest
        sketch=SketchField(),
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


#: Searchers kept open, per index directory: (generation identity, searcher).
_SEARCHERS: dict[Path, tuple[tuple, object]] = {}


def shared_searcher(index_dir: Path, weighting):
    """A searcher of the committed generation, kept open between calls in one process.

    Opening costs a few milliseconds per segment (Whoosh reads every
    document's stored-field offsets), more than a typical query, so a
    program that searches many times (a library user, the benchmarks)
    reuses the searcher for as long as CURRENT names the same generation
    directory; a new generation, or the index rebuilt from scratch, opens
    a new one.  Not for use by several threads at once.
    """
    generation = current_generation(index_dir)
    try:
        status = generation.stat() if generation is not None else None
    except OSError:
        status = None
    identity = (generation, status.st_ino, status.st_ctime_ns, id(weighting)) if status else None
    cached = _SEARCHERS.get(index_dir)
    if cached is not None and identity is not None and cached[0] == identity:
        return cached[1]
    if cached is not None:
        del _SEARCHERS[index_dir]
        cached[1].close()
    searcher = open_index(index_dir).searcher(weighting=weighting)
    if identity is not None:
        _SEARCHERS[index_dir] = (identity, searcher)
    return searcher


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


def _column_default(reader, fieldname: str):
    """What a document without a value holds in ``fieldname``'s column."""
    column = reader.schema[fieldname].column_type
    return column._default if hasattr(column, "_default") else column.default_value()


def column_values(reader, fieldname: str) -> array:
    """Every document's raw value of a numeric column, one block read per segment.

    Whoosh's column reader costs a seek, a read and an unpack per document (about
    60 ms for 20,000 documents); reading each segment's fixed-width block whole
    and letting ``array`` decode it is about 100 times cheaper.  Segments are
    read one by one because Whoosh's multi-segment column reader leaves out a
    segment that has no column file (one whose documents all lack the value),
    which would shift every later document.  This relies on the numeric column
    layout of the pinned Whoosh 2.7 and falls back to the value-by-value reader
    when that layout is not there.
    """
    default = _column_default(reader, fieldname)
    values = array("Q")
    for leaf, _offset in reader.leaf_readers():
        if not leaf.has_column(fieldname):
            values.extend([default] * leaf.doc_count_all())
            continue
        part = leaf.column_reader(fieldname, translate=False)
        try:
            block = array(part._typecode, part._dbfile.get(part._basepos, part._count * part._fixedlen))
            padding = [part._default] * (part._doccount - part._count)
        except (AttributeError, TypeError, ValueError, OverflowError):
            values.extend(part)
            continue
        if sys.byteorder == "little":
            block.byteswap()  # Whoosh writes columns big-endian
        values.extend(block)
        values.extend(padding)
    return values


class ColumnByDocument:
    """One column's raw values by (global) document number, segment by segment.

    Whoosh's own multi-segment column reader leaves out segments without the
    column file and so misnumbers the documents after them.
    """

    def __init__(self, reader, fieldname: str) -> None:
        self._default = _column_default(reader, fieldname)
        self._offsets: list[int] = []
        self._parts: list = []
        for leaf, offset in reader.leaf_readers():
            self._offsets.append(offset)
            has_column = leaf.has_column(fieldname)
            self._parts.append(leaf.column_reader(fieldname, translate=False) if has_column else None)

    def __getitem__(self, docnum: int):
        segment = bisect_right(self._offsets, docnum) - 1
        part = self._parts[segment]
        return self._default if part is None else part[docnum - self._offsets[segment]]
