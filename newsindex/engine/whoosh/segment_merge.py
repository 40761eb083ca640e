"""Merging segments by copying their postings: no article is analysed again.

Whoosh's own merge re-sorts every posting through its external pool, and
rebuilding a segment from its stored articles analyses every article again;
both cost about as much as indexing.  Here each term's posting lists are
read from the merged segments in term order and written one after another,
document numbers shifted by the documents before them:

* a posting block of a segment with no deletions keeps its data; only its
  first document number (the one absolute number of the block, the rest are
  deltas) and its header change, and the first segment's blocks are copied
  byte for byte.  Blocks keep their sizes, so a merged list may hold blocks
  shorter than 128 postings in the middle (the reader takes each block's
  length from its header);
* a segment with deletions has its postings filtered and renumbered;
* each merged list written in blocks gets its ``posting_arrays`` (numbers and
  weights as Whoosh reads them back), taken from the first segment's arrays
  or from the blocks decoded anyway;
* a title or body list has no blocks (since index format 10): it is inline, or
  its arrays alone, merged from the parts' arrays (``merged_arrays``);
* columns (stored fields, lengths, sortable values) are copied value by value,
  stored fields still compressed.

Memory holds one field's term table of each segment and one term's postings
at a time, not the merged segment: merging never needs the indexer's memory
bound, so segments can grow past the size a worker writes.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from heapq import merge as heap_merge
from itertools import groupby
from operator import itemgetter

from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from . import posting_arrays
from .merged_arrays import positions_entry
from .merged_term import _accumulate, _expand, _length_range, _read_blocks, _split_values, _TermMerge, term_entry
from .segment_files import _Columns, _TermsWriter
from .segment_format import (
    _LENGTHS,
    _TERMINFO,
    INLINE_LIMIT,
)
from .summary import SegmentSummary

#: Stored fields are ``stored_column`` values (each compressed on its own): copied as the raw bytes they are on disk.
_RAW_BYTES = VarBytesColumn()
_INT = struct.Struct("!i")
_NO_ID = 0xFFFFFFFF
_FIRST = itemgetter(0)


class _Source:
    """One segment being merged: its terms, postings, length bytes and new document numbers."""

    def __init__(self, storage, schema, segment, base: int) -> None:
        self.storage = storage
        self.segment = segment
        self.base = base
        reader = W3Codec().terms_reader(storage, segment)
        self.table = reader._tindex
        self.fieldmap: dict[str, int] = dict(reader._fieldmap)
        self.postfile = reader._postfile
        self._reader = reader
        count = segment.doc_count_all()
        deleted = set(segment.deleted_docs()) if segment.deleted_count() else set()
        self.deleted = deleted
        #: old document number -> new one (-1: deleted); None when nothing is deleted (new = old + base)
        self.renumber: array | None = None
        self._numpy_renumber = None
        if deleted:
            self.renumber = array("i", [-1]) * count
            new = base
            for docnum in range(count):
                if docnum not in deleted:
                    self.renumber[docnum] = new
                    new += 1
        self.live = count - len(deleted)
        self.columns = self._column_names()
        self.lengths: dict[str, bytes] = {}
        for name in schema.scorable_names():
            column = f"_{name}_len"
            if column in self.columns:
                values = bytes(self.column_values(column, LENGTHS_COLUMN))
                self.lengths[name] = values + bytes(max(0, count - len(values)))

    def _column_names(self) -> list[str]:
        prefix = self.segment.make_filename(".")
        return [
            name[len(prefix) : -len(W3Codec.COLUMN_EXT)]
            for name in self.storage.list()
            if name.startswith(prefix) and name.endswith(W3Codec.COLUMN_EXT)
        ]

    def column_values(self, name: str, column) -> list:
        filename = W3Codec.column_filename(self.segment, name)
        handle = self.storage.open_file(filename)
        try:
            reader = column.reader(handle, 0, self.storage.file_length(filename), self.segment.doc_count_all())
            return list(reader)
        finally:
            handle.close()

    def field_entries(self, fieldname: str):
        """``(term bytes, term info bytes)`` of one field, in term order."""
        number = self.fieldmap.get(fieldname)
        if number is None:
            return
        table = self.table
        start = table.closest_key_pos(pack_ushort(number))
        if start is None:
            return
        following = table.closest_key_pos(pack_ushort(number + 1)) if number + 1 < 65535 else None
        end = following if following is not None else table.endofdata
        data = table.dbfile.get(start, end - start)
        unpack = _LENGTHS.unpack_from
        pos = 0
        while pos < len(data):
            keylen, valuelen = unpack(data, pos)
            pos += 8
            yield data[pos + 2 : pos + keylen], data[pos + keylen : pos + keylen + valuelen]
            pos += keylen + valuelen

    def numpy_renumber(self, np):
        """``renumber`` as a numpy array (made once)."""
        if self._numpy_renumber is None:
            self._numpy_renumber = np.frombuffer(self.renumber, dtype=np.int32)
        return self._numpy_renumber

    def postings_bytes(self, offset: int, length: int) -> bytes:
        self.postfile.seek(offset)
        return self.postfile.read(length)

    def close(self) -> None:
        self._reader.close()


def _merge_term(
    parts: list, sources: list[_Source], fieldname: str, fixed_size: int | None, boost: float
) -> _TermMerge:
    """A term of a field whose long lists have blocks (not title or body: ``merged_arrays``)."""
    merged = _TermMerge(fixed_size, boost)
    for _term, number, value in parts:
        source = sources[number]
        lengths = source.lengths.get(fieldname)
        flags, weight, _df, _minlb, _maxlb, _maxweight, _minid, _maxid = _TERMINFO.unpack_from(value)
        renumber = source.renumber
        if flags:
            docs, weights, values = pickle.loads(value[_TERMINFO.size :])
            if renumber is None:
                merged.add_postings([d + source.base for d in docs], list(weights), list(values), lengths, docs)
            else:
                keep = [i for i, d in enumerate(docs) if renumber[d] >= 0]
                merged.add_postings(
                    [renumber[docs[i]] for i in keep],
                    [weights[i] for i in keep],
                    [values[i] for i in keep],
                    lengths,
                    [docs[i] for i in keep],
                )
            continue
        offset = struct.unpack_from("!q", value, _TERMINFO.size)[0]
        length = struct.unpack_from("!i", value, _TERMINFO.size + 8)[0]
        blocks = list(_read_blocks(source.postings_bytes(offset, length)))
        where = posting_arrays.pointer(value)
        arrays = source.postings_bytes(*where) if where else None
        if len(parts) == 1 and arrays and not source.base and renumber is None:
            # The list stays as it is (its blocks are copied byte for byte): so do its arrays, and
            # its total weight is the term info's.
            for number, (info, data) in enumerate(blocks):
                merged.add_block(info, data, 0, 0.0 if number else weight, arrays_apart=True)
            merged.same_arrays = arrays
            continue
        if renumber is None:
            if arrays:  # numbers, weights and positions from the arrays, whole
                import numpy as np  # here, not at the top: only merges need it

                ids, weights = posting_arrays.decode_numpy(np, arrays)
                merged.add_arrays(ids + source.base, weights)
            for info, data in blocks:
                weight_sum = weight if len(blocks) == 1 else _block_weight(info, data)
                merged.add_block(info, data, source.base, weight_sum, arrays_apart=arrays is not None)
            continue
        for info, data in blocks:
            raw = zlib.decompress(data) if info[3] else data
            deltas, block_weights, values = pickle.loads(raw)
            olds = list(_accumulate(deltas))
            weights = _expand(block_weights, len(olds))
            values = _split_values(values, len(olds))
            keep = [i for i, d in enumerate(olds) if renumber[d] >= 0]
            if merged.inline is not None and merged.count + len(keep) > INLINE_LIMIT:
                merged._inline_to_blocks()
            kept_values = None if values is None else [values[i] for i in keep]
            docs = [renumber[olds[i]] for i in keep]
            if merged.inline is not None:
                merged.add_postings(docs, [weights[i] for i in keep], kept_values, lengths, [olds[i] for i in keep])
            elif keep:
                minlb, maxlb = _length_range(lengths, [olds[i] for i in keep])
                block_weights = [weights[i] for i in keep]
                merged._stats(docs, block_weights, minlb, maxlb)
                merged._block(docs, block_weights, kept_values, minlb, maxlb)
    return merged


def _block_weight(info: tuple, data: bytes) -> float:
    """The sum of a block's weights (a term info holds the sum over the whole list)."""
    count = info[0]
    raw = zlib.decompress(data) if info[3] else data
    weights = pickle.loads(raw)[1]
    if weights is None:
        return float(count)
    if isinstance(weights, (int, float)):
        return float(weights) * count
    return float(sum(weights))


def merge_segments(storage, schema, indexname: str, segments: list):
    """One new segment holding the live documents of ``segments``, in their order.

    Returns the new (uncommitted) Whoosh segment: the caller commits it in a
    TOC in place of the merged ones, so an interrupted merge leaves only an
    unreferenced file behind."""
    codec = W3Codec()
    target = codec.new_segment(storage, indexname)
    sources: list[_Source] = []
    base = 0
    try:
        for segment in segments:
            source = _Source(storage, schema, segment, base)
            sources.append(source)
            base += source.live
        _merge_columns(storage, schema, target, sources, base)
        _merge_terms(storage, schema, target, sources)
        _merge_summaries(storage, target, sources)
    finally:
        for source in sources:
            source.close()
    target.set_doc_count(base)
    target._fieldlengths = _field_lengths(sources)
    return target


def _merge_summaries(storage, target, sources: list[_Source]) -> None:
    """The parts' summaries joined (summary.py); none when a part has none (an older segment's
    is then read from its stored articles when a summary is made)."""
    merged = SegmentSummary()
    for source in sources:
        part = SegmentSummary.read(storage, source.segment)
        if part is None:
            return
        merged.extend(part, source.deleted)
    merged.write(storage, target)


def _field_lengths(sources: list[_Source]) -> dict[str, int]:
    """Total length of each field: the segments' totals, less (from their length bytes,
    so approximately) what deleted documents held."""
    totals: dict[str, int] = {}
    for source in sources:
        for name, total in getattr(source.segment, "_fieldlengths", {}).items():
            lengths = source.lengths.get(name)
            gone = sum(byte_to_length(lengths[d]) for d in source.deleted) if lengths else 0
            totals[name] = totals.get(name, 0) + max(0, total - gone)
    return totals


def _merge_columns(storage, schema, target, sources: list[_Source], doccount: int) -> None:
    columns = _Columns(storage, target)
    names = sorted({name for source in sources for name in source.columns})
    for name in names:
        if name == "_stored":
            column = _RAW_BYTES
        elif name.startswith("_") and name.endswith("_len"):
            column = LENGTHS_COLUMN
        elif name in schema and schema[name].column_type is not None:
            column = schema[name].column_type
        else:
            continue
        default = column.default_value()
        writer_docnum = 0
        for source in sources:
            values = source.column_values(name, column) if name in source.columns else None
            for docnum in range(source.segment.doc_count_all()):
                if docnum in source.deleted:
                    continue
                value = values[docnum] if values is not None else default
                if value != default:
                    columns.add(name, column, writer_docnum, value)
                writer_docnum += 1
    if "_stored" not in columns.writers:
        columns.add_all("_stored", _RAW_BYTES, bytearray())
    columns.close(doccount)


def _numbered(entries, number: int):
    for term, value in entries:
        yield term, number, value


def _merge_terms(storage, schema, target, sources: list[_Source]) -> None:
    writer = _TermsWriter(storage, target)
    try:
        fieldnames = sorted({name for source in sources for name in source.fieldmap})
        for fieldname in fieldnames:
            fmt = schema[fieldname].format if fieldname in schema else None
            fixed_size = fmt.fixed_value_size() if fmt is not None else None
            boost = fmt.field_boost if fmt is not None else 1.0
            with_positions = type(fmt) is formats.Positions
            streams = [_numbered(source.field_entries(fieldname), number) for number, source in enumerate(sources)]
            prefix = writer.start_field(fieldname)
            table = writer.table
            postings = bytearray()
            base_offset = writer.postfile.tell()
            for term, parts in groupby(heap_merge(*streams), key=_FIRST):
                if with_positions:  # a title or body list: inline, or its arrays alone
                    entry = positions_entry(list(parts), sources, fieldname, boost, postings, base_offset)
                else:
                    entry = term_entry(
                        _merge_term(list(parts), sources, fieldname, fixed_size, boost), postings, base_offset
                    )
                if entry is not None:
                    table.add_entry(prefix + term, entry)
                if len(postings) > 1 << 24:
                    writer.postfile.write(bytes(postings))
                    postings = bytearray()
                    base_offset = writer.postfile.tell()
                    table.flush()
            writer.postfile.write(bytes(postings))
            table.flush()
    finally:
        writer.close()
