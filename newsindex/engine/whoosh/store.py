"""The read side of an index through Whoosh: its schema, opening it, columns read in bulk.

Kept apart from ``index`` (the writer) so that a search imports only this
and Whoosh's reader, not the extraction, cleaning and segment-writing code:
a search is a whole process start, and imports are most of its time.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import _import_whoosh_lightly

_import_whoosh_lightly()  # before the first Whoosh import: see the package's docstring

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.columns import FixedBytesColumn
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.matching import ReadTooFar
from whoosh.util.numeric import byte_to_length

from .. import IndexLocked, IndexProblem  # noqa: F401 - raised here, and imported from here

# Patched into Whoosh on import: array_matcher (title and body lists read from their arrays),
# stored_column (stored fields in Zstandard).
from . import analysis, array_matcher, stored_column  # noqa: F401
from .analysis import news_analyzer
from .bm25 import TITLE_FIELD_BOOST
from .location import (  # noqa: F401 - where an index lives, imported from here by older code
    _GEN_PREFIX,
    _NEIGHBOURS_HEADER,
    _NEIGHBOURS_MAGIC,
    FORMAT_VERSION,
    INDEX_NAME,
    NEIGHBOURS_FILE,
    UNDATED_MONTH,
    NearDuplicates,
    _being_written,
    _format_problem,
    _read_info,
    current_generation,
    default_index_dir,
    index_disk_size,
    missing_index_problem,
    require_current_format,
    short_id,
    write_near_duplicates,
)

#: An index's table of contents pickles its schema, naming the classes of its
#: analyzers and fields by module.  Indexes written before the package was laid
#: out by stage (issue 13) name ``newsindex.analysis`` and ``newsindex.store``:
#: those names stay importable, so such an index still opens without a rebuild.
LEGACY_MODULE_NAMES = {"newsindex.analysis": analysis, "newsindex.store": sys.modules[__name__]}
for _name, _module in LEGACY_MODULE_NAMES.items():
    sys.modules.setdefault(_name, _module)


class SketchField(FieldType):
    """The near-duplicate sketch (dedup.py), packed (``dedup.packed_sketch``) in a
    fixed-width column and nothing else: not indexed, not stored.

    Each indexing run reads every sketch from the column to work out the
    near-duplicate graph (``NEIGHBOURS_FILE``), at a few microseconds per
    article where the stored fields would unpickle whole articles.
    """

    indexed = False
    stored = False

    def __init__(self) -> None:
        from ...index.dedup import PACKED_SIZE, pack_sketch  # writing only: a search never packs one

        self.column_type = FixedBytesColumn(PACKED_SIZE, default=pack_sketch([]))

    def to_column_value(self, value: bytes) -> bytes:
        return value

    def from_column_value(self, value: bytes) -> bytes:
        return value


def _column_only(field: FieldType) -> FieldType:
    """``field`` kept as a column (and stored, if it is), its terms not indexed."""
    field.indexed = False
    return field


def make_schema() -> Schema:
    analyzer = news_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        short_id=ID(stored=True),
        path=ID(stored=True),
        paths=STORED(),  # every id sharing this document's content, when there are several
        url=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_FIELD_BOOST),
        body=TEXT(analyzer=analyzer, stored=True),
        authors=KEYWORD(lowercase=True, commas=True, scorable=True),
        source=KEYWORD(lowercase=True, commas=True),
        section=KEYWORD(lowercase=True, commas=True),
        # Stored and sorted exactly; filtered by its column (filters, direct reader), so its eight
        # tiers of terms an article, which no query read, are not indexed (3% of indexing).
        published=_column_only(DATETIME(stored=True, sortable=True)),
        year=NUMERIC(stored=False, sortable=True, shift_step=32),  # one term, no tiers: a few dozen years
        month=ID(sortable=True),
        meta=STORED(),  # display metadata: authors, source, section, date_only
        content_hash=STORED(),  # shown by `show`; duplicates are found through the manifest
        sketch=SketchField(),
    )


def create_index(directory: Path) -> None:
    """An empty index with our schema in ``directory`` (a new generation)."""
    whoosh_index.create_in(str(directory), make_schema(), indexname=INDEX_NAME)


# --- locating and opening -------------------------------------------------------


def open_index(index_dir: Path):
    """Open the committed generation for searching."""
    generation = current_generation(index_dir)
    if generation is None:
        raise missing_index_problem(index_dir)
    require_current_format(index_dir, generation)
    try:
        return whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
    except Exception as exc:
        raise IndexProblem(
            f"cannot open index at {index_dir} ({type(exc).__name__}); rebuild it with --rebuild"
        ) from None


@dataclass
class OpenGeneration:
    """A committed generation opened for searching: its searcher, and its
    near-duplicate graph (mapped on first use)."""

    identity: tuple | None
    searcher: object
    generation: Path
    _near_duplicates: NearDuplicates | None = None
    _words: dict = field(default_factory=dict)

    def near_duplicates(self) -> NearDuplicates:
        if self._near_duplicates is None:
            self._near_duplicates = NearDuplicates(self.generation / NEIGHBOURS_FILE)
        return self._near_duplicates

    def words(self, letter: str) -> list[str] | None:
        """The generation's body words starting with ``letter`` (``lexicon``), read once."""
        from .lexicon import words_starting

        if letter not in self._words:
            self._words[letter] = words_starting(self.generation, letter)
        return self._words[letter]


#: Generations kept open, per index directory.
_OPEN: dict[Path, OpenGeneration] = {}


def shared_generation(index_dir: Path, weighting) -> OpenGeneration:
    """The committed generation, kept open between calls in one process.

    Opening costs a few milliseconds per segment (Whoosh reads every
    document's stored-field offsets), more than a typical query, so a
    program that searches many times (a library user, the benchmarks)
    reuses the searcher for as long as CURRENT names the same generation
    directory; a new generation, or the index rebuilt from scratch, opens
    a new one.  A search takes everything from one such object, so its
    searcher and its graph always belong to the same generation.  Not for
    use by several threads at once.
    """
    generation = current_generation(index_dir)
    try:
        status = generation.stat() if generation is not None else None
    except OSError:
        status = None
    identity = (generation, status.st_ino, status.st_ctime_ns, id(weighting)) if status else None
    cached = _OPEN.get(index_dir)
    if cached is not None and identity is not None and cached.identity == identity:
        return cached
    if cached is not None:
        del _OPEN[index_dir]
        cached.searcher.close()
    opened = OpenGeneration(identity, open_index(index_dir).searcher(weighting=weighting), generation)
    if identity is not None:
        _OPEN[index_dir] = opened
    return opened


# --- posting lists ---------------------------------------------------------------


def _skip_to_by_bisection(self: W3LeafMatcher, targetid: int) -> None:
    """``W3LeafMatcher.skip_to`` finding the target in its block by bisection.

    Whoosh steps through a posting block one id at a time, three Python calls
    per posting; intersecting a rare word with a common one (every AND query,
    and a date window's month terms) skips through the common word's blocks,
    and that stepping was the largest single cost of a search.  Same contract:
    raise ``ReadTooFar`` when inactive, else stop at the first id >= target.
    """
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    self._i = bisect_left(self._ids, targetid, self._i, self._blocklength)
    if self._i == self._blocklength:  # cannot happen while _maxid is the block's last id; kept safe
        self._next_block()


WHOOSH_SKIP_TO = W3LeafMatcher.skip_to  # the original, kept for the test that compares the two
W3LeafMatcher.skip_to = _skip_to_by_bisection


def _doc_field_length_from_memory(self: W3PerDocReader, docnum: int, fieldname: str, default: int = 0):
    """``W3PerDocReader.doc_field_length`` from the segment's length bytes read whole.

    BM25 asks the length of every matching document's field; Whoosh seeks and
    reads one byte from the column file each time.  A field's lengths are one
    byte per document (20 KB for 20,000 articles), read once per segment
    reader here.  Same results, including None for a zero length byte.
    """
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    whole = self.__dict__.setdefault("_lengths_read_whole", {})
    if fieldname not in whole:
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        whole[fieldname] = None if reader is None else reader._dbfile.get(reader._basepos, reader._count)
    lengths = whole[fieldname]
    if lengths is None:  # no length column
        return default
    if docnum >= len(lengths):  # written short: the column's default, 0
        return None
    byte = lengths[docnum]
    if byte:
        return byte_to_length(byte)
    return None


WHOOSH_DOC_FIELD_LENGTH = W3PerDocReader.doc_field_length  # the original, for the test
W3PerDocReader.doc_field_length = _doc_field_length_from_memory


# --- the near-duplicate graph ------------------------------------------------------


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


def live_fixed_column(reader, fieldname: str, chunk: int = 4096) -> Iterator[tuple[int, bytes]]:
    """``(docnum, raw value)`` of every live document in a ``FixedBytesColumn``,
    read ``chunk`` documents at a time (one read each, where Whoosh's reader
    seeks and reads per document)."""
    default = _column_default(reader, fieldname)
    for leaf, offset in reader.leaf_readers():
        deleted = leaf.has_deletions()
        part = leaf.column_reader(fieldname, translate=False) if leaf.has_column(fieldname) else None
        width, present = (part._fixedlen, part._count) if part is not None else (0, 0)
        count = leaf.doc_count_all()
        for first in range(0, count, chunk):
            last = min(count, first + chunk)
            stored = max(0, min(last, present) - first)  # documents past the column's end hold the default
            block = part._dbfile.get(part._basepos + first * width, stored * width) if stored else b""
            for docnum in range(first, last):
                if deleted and leaf.is_deleted(docnum):
                    continue
                at = (docnum - first) * width
                yield offset + docnum, block[at : at + width] if docnum < present else default
