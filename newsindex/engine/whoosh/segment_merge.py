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
* columns (stored fields, lengths, sortable values) are copied value by value,
  stored fields still compressed.

Memory holds one field's term table of each segment and one term's postings
at a time, not the merged segment: merging never needs the indexer's memory
bound, so segments can grow past the size a worker writes.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from heapq import merge as heap_merge
from itertools import groupby, pairwise
from operator import itemgetter

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length

from . import posting_arrays
from .segment_files import _Columns, _TermsWriter
from .segment_format import _BLOCK_LIMIT, _COMPRESSION, _LENGTHS, _TERMINFO, INLINE_LIMIT, PICKLE_PROTOCOL
from .summary import SegmentSummary

#: Stored fields are ``CompressedBytesColumn`` values: copied as the raw bytes they are on disk.
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

    def postings_bytes(self, offset: int, length: int) -> bytes:
        self.postfile.seek(offset)
        return self.postfile.read(length)

    def close(self) -> None:
        self._reader.close()


def _length_range(lengths: bytes | None, docs) -> tuple[int, int]:
    if lengths is None:
        return 0, 0
    present = [b for b in (lengths[d] for d in docs) if b]
    return (min(present), max(present)) if present else (0, 0)


def _expand(weights, count: int) -> list:
    if weights is None:
        return [1.0] * count
    if isinstance(weights, (int, float)):
        return [float(weights)] * count
    return list(weights)


def _split_values(values, count: int) -> list | None:
    """A block's values as one item per posting (None for Existence postings)."""
    if values is None:
        return None
    if isinstance(values, bytes):
        size = len(values) // count if count else 0
        return [values[i * size : (i + 1) * size] for i in range(count)]
    return list(values)


class _TermMerge:
    """One merged term's postings: blocks (header, data) or inline postings, and its statistics."""

    def __init__(self, fixed_size: int | None, boost: float = 1.0) -> None:
        self.fixed_size = fixed_size
        self.boost = boost
        #: Every posting written in blocks, and its weight as Whoosh reads it back: the arrays.
        self.array_ids: list[int] = []
        self.array_weights: list[float] = []
        self.blocks: list[tuple[bytes, bytes]] = []
        self.inline: tuple[list, list, list] | None = ([], [], [])
        self.weight = 0.0
        self.count = 0
        self.minlength = 0
        self.maxlength = 0
        self.maxweight = 0.0
        self.minid: int | None = None
        self.maxid = 0

    def _stats(self, docs, weights, minlb: int, maxlb: int) -> None:
        self.count += len(docs)
        self.weight += sum(weights)
        self.maxweight = max(self.maxweight, max(weights))
        if minlb and (not self.minlength or minlb < self.minlength):
            self.minlength = minlb
        self.maxlength = max(self.maxlength, maxlb)
        if self.minid is None:
            self.minid = docs[0]
        self.maxid = docs[-1]

    def add_postings(self, docs: list, weights: list, values: list | None, lengths: bytes | None, olds) -> None:
        """Postings given one by one (inline ones, or a filtered block)."""
        if not docs:
            return
        minlb, maxlb = _length_range(lengths, olds)
        self._stats(docs, weights, minlb, maxlb)
        if self.inline is not None:
            self.inline[0].extend(docs)
            self.inline[1].extend(weights)
            self.inline[2].extend(values if values is not None else [b""] * len(docs))
            if len(self.inline[0]) <= INLINE_LIMIT:
                return
            self._inline_to_blocks()
            return
        for start in range(0, len(docs), _BLOCK_LIMIT):
            part = slice(start, start + _BLOCK_LIMIT)
            self._block(docs[part], weights[part], None if values is None else values[part], minlb, maxlb)

    def _inline_to_blocks(self) -> None:
        docs, weights, values = self.inline
        self.inline = None
        for start in range(0, len(docs), _BLOCK_LIMIT):
            part = slice(start, start + _BLOCK_LIMIT)
            # The block's length range is the term's so far: a block's range only
            # needs to contain its documents' lengths (it bounds scores for skipping).
            self._block(docs[part], weights[part], values[part], self.minlength, self.maxlength)

    def _block(self, docs, weights, values, minlb: int, maxlb: int) -> None:
        deltas = [docs[0], *(b - a for a, b in pairwise(docs))]
        first = weights[0]
        if weights.count(first) == len(weights):
            mini_weights = None if first == 1.0 else float(first)
        else:
            mini_weights = tuple(map(float, weights))
        fixed_size = self.fixed_size
        if fixed_size is None or fixed_size < 0:
            mini_values = tuple(values)
        elif fixed_size == 0 or values is None:
            mini_values = None
        else:
            mini_values = b"".join(values)
        data = zlib.compress(pickle.dumps((tuple(deltas), mini_weights, mini_values), PICKLE_PROTOCOL), _COMPRESSION)
        info = pickle.dumps((len(docs), docs[-1], max(weights), _COMPRESSION, minlb, maxlb), 2)
        self.blocks.append((info, data))
        self.array_ids += docs
        self.array_weights += posting_arrays.stored_read_back(mini_weights, len(docs))

    def add_block(self, info: tuple, data: bytes, base: int, weight_sum: float, known: tuple | None = None) -> None:
        """A block of a segment with no deletions, its numbers shifted by ``base``; ``known``:
        its (document numbers, weights as read back) from the segment's arrays, if it has them."""
        count, lastid, maxweight, compression, minlb, maxlb = info
        if self.inline is not None:
            self._inline_to_blocks()
        if base or known is None:
            raw = zlib.decompress(data) if compression else data
            deltas, weights, values = pickle.loads(raw)
            deltas = (deltas[0] + base, *deltas[1:])
            if base:
                data = zlib.compress(pickle.dumps((deltas, weights, values), PICKLE_PROTOCOL), _COMPRESSION)
                compression = _COMPRESSION
            first = deltas[0]
            self.array_ids += _accumulate(deltas)
            self.array_weights += posting_arrays.stored_read_back(weights, count)
        else:
            first = known[0][0]
            self.array_ids += known[0]
            self.array_weights += known[1]
        header = pickle.dumps((count, lastid + base, maxweight, compression, minlb, maxlb), 2)
        self.blocks.append((header, data))
        self.count += count
        self.weight += weight_sum
        self.maxweight = max(self.maxweight, maxweight)
        if minlb and (not self.minlength or minlb < self.minlength):
            self.minlength = minlb
        self.maxlength = max(self.maxlength, maxlb)
        if self.minid is None:
            self.minid = first if first is not None else _first_doc(data, compression)
        self.maxid = lastid + base

    def entry(self, postings: bytearray, base_offset: int) -> bytes | None:
        """The term table value (term info) of the merged term; block data appended to ``postings``."""
        if not self.count:
            return None
        head = (self.weight, self.count, self.minlength, self.maxlength, self.maxweight, self.minid, self.maxid)
        if self.inline is not None:
            docs, weights, values = self.inline
            inline = pickle.dumps((tuple(docs), tuple(weights), tuple(values)), PICKLE_PROTOCOL)
            return _TERMINFO.pack(1, *head) + inline
        start = base_offset + len(postings)
        postings += WHOOSH3_HEADER_MAGIC
        last = len(self.blocks) - 1
        for number, (info, data) in enumerate(self.blocks):
            size = len(info) + len(data)
            postings += pack_int(-size if number == last else size)
            postings += info
            postings += data
        length = base_offset + len(postings) - start
        arrays = posting_arrays.encode(self.array_ids, self.array_weights, self.boost)
        pointer = posting_arrays.POINTER.pack(base_offset + len(postings), len(arrays))
        postings += arrays
        return _TERMINFO.pack(0, *head) + pack_long(start) + pack_int(length) + pointer


def _first_doc(data: bytes, compression: int) -> int:
    raw = zlib.decompress(data) if compression else data
    return pickle.loads(raw)[0][0]


def _read_blocks(raw: bytes):
    """``(info, data)`` of each posting block of one term's extent (after the magic)."""
    stream = io.BytesIO(raw)
    pos = 4
    while pos < len(raw):
        size = _INT.unpack_from(raw, pos)[0]
        stream.seek(pos + 4)
        info = pickle.load(stream)
        data_start = stream.tell()
        end = pos + 4 + abs(size)
        yield info, raw[data_start:end]
        pos = end
        if size < 0:
            break


def _merge_term(
    parts: list, sources: list[_Source], fieldname: str, fixed_size: int | None, boost: float = 1.0
) -> _TermMerge:
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
        if renumber is None:
            where = posting_arrays.pointer(value) if not source.base else None  # the first segment's
            known = posting_arrays.decode_lists(source.postings_bytes(*where)) if where else None
            at = 0
            for info, data in blocks:
                weight_sum = weight if len(blocks) == 1 else _block_weight(info, data)
                part = None
                if known is not None:
                    part = (known[0][at : at + info[0]], known[1][at : at + info[0]])
                    at += info[0]
                merged.add_block(info, data, source.base, weight_sum, part)
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


def _accumulate(deltas):
    total = 0
    for delta in deltas:
        total += delta
        yield total


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
            streams = [_numbered(source.field_entries(fieldname), number) for number, source in enumerate(sources)]
            prefix = writer.start_field(fieldname)
            table = writer.table
            postings = bytearray()
            base_offset = writer.postfile.tell()
            for term, parts in groupby(heap_merge(*streams), key=_FIRST):
                entry = _merge_term(list(parts), sources, fieldname, fixed_size, boost).entry(postings, base_offset)
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
