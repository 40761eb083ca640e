"""A committed generation opened by the direct reader: its segments side by side.

Document numbers run through the segments in the TOC's order, as in Whoosh's
multi-segment reader, so they are the numbers the near-duplicate graph
(``location.NEIGHBOURS_FILE``) and the Whoosh path use.  Statistics are
Whoosh's: documents counted with the deleted ones (for idf and average
lengths), document frequencies summed over segments.
"""

from __future__ import annotations

import mmap
import os
from array import array
from pathlib import Path

from ..location import (
    INDEX_NAME,
    NEIGHBOURS_FILE,
    NearDuplicates,
    current_generation,
    missing_index_problem,
    require_current_format,
)
from .columns import LENGTH_OF_BYTE, StoredFields, column_path, numeric_values, read_whole
from .termtable import TermInfo, TermTable
from .toc import SegmentInfo, read_segments

#: What the ``published`` column holds for an article without a date (its default).
UNDATED = 2**64 - 1


class Segment:
    """One segment's files, each opened on first use."""

    def __init__(self, folder: str, info: SegmentInfo, offset: int) -> None:
        self.folder = folder
        self.info = info
        self.offset = offset  # the global number of its first document
        self.documents = info.doc_count_all
        self.deleted = info.deleted
        self._terms: TermTable | None = None
        self._postfile = None
        self._lengths: dict[str, bytes | None] = {}
        self._stored: StoredFields | None = None

    def _path(self, extension: str) -> str:
        return os.path.join(self.folder, self.info.name + extension)

    def term_info(self, fieldname: str, term: bytes) -> TermInfo | None:
        if self._terms is None:
            self._terms = TermTable(self._path(".trm"))
        return self._terms.term_info(fieldname, term)

    @property
    def postfile(self):
        if self._postfile is None:
            with open(self._path(".pst"), "rb") as handle:
                # Empty when every posting list is inline (a small segment): nothing to map.
                empty = os.fstat(handle.fileno()).st_size == 0
                self._postfile = b"" if empty else mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return self._postfile

    def field_length(self, docnum: int, fieldname: str) -> int | None:
        """A document's length in a field, as Whoosh's scorer reads it: 1 when the segment has
        no lengths for the field, None for a zero length byte."""
        if fieldname not in self._lengths:
            self._lengths[fieldname] = read_whole(column_path(self.folder, self.info.name, f"_{fieldname}_len"))
        lengths = self._lengths[fieldname]
        if lengths is None:
            return 1
        byte = lengths[docnum] if docnum < len(lengths) else 0
        return LENGTH_OF_BYTE[byte] if byte else None

    def stored_fields(self, docnum: int) -> dict:
        if self._stored is None:
            self._stored = StoredFields(self._path("._stored.col"), self.documents)
        return self._stored[docnum]


class Generation:
    """The committed generation of an index directory, read without Whoosh."""

    def __init__(self, index_dir: Path) -> None:
        generation = current_generation(index_dir)
        if generation is None:
            raise missing_index_problem(index_dir)
        require_current_format(index_dir, generation)
        self.index_dir = index_dir
        self.path = generation
        folder = str(generation)
        self.segments: list[Segment] = []
        offset = 0
        for info in read_segments(generation, INDEX_NAME):
            self.segments.append(Segment(folder, info, offset))
            offset += info.doc_count_all
        self.doc_count_all = offset
        self.doc_count = offset - sum(len(segment.deleted) for segment in self.segments)
        self._published: array | None = None
        self._near_duplicates: NearDuplicates | None = None

    def field_length(self, fieldname: str) -> int:
        """Total length of a field over every document (deleted ones included)."""
        return sum(segment.info.field_lengths.get(fieldname, 0) for segment in self.segments)

    def published(self) -> array:
        """Every document's publication time as the ``published`` column holds it."""
        if self._published is None:
            values = array("Q")
            for segment in self.segments:
                path = column_path(segment.folder, segment.info.name, "published")
                values.extend(numeric_values(path, "Q", UNDATED, segment.documents))
            self._published = values
        return self._published

    def near_duplicates(self) -> NearDuplicates:
        if self._near_duplicates is None:
            self._near_duplicates = NearDuplicates(self.path / NEIGHBOURS_FILE)
        return self._near_duplicates

    def stored_fields(self, docnum: int) -> dict:
        for segment in reversed(self.segments):
            if docnum >= segment.offset:
                return segment.stored_fields(docnum - segment.offset)
        raise IndexError(docnum)


#: Generations kept open, per index directory (a library user or a benchmark searches many times).
_OPEN: dict[Path, tuple[tuple, Generation]] = {}


def open_generation(index_dir: Path) -> Generation:
    """The committed generation, reused while CURRENT names the same generation directory."""
    generation = current_generation(index_dir)
    identity = None
    if generation is not None:
        try:
            status = generation.stat()
            identity = (generation, status.st_ino, status.st_ctime_ns)
        except OSError:
            pass
    cached = _OPEN.get(index_dir)
    if cached is not None and identity is not None and cached[0] == identity:
        return cached[1]
    opened = Generation(index_dir)
    if identity is not None:
        _OPEN[index_dir] = (identity, opened)
    return opened
