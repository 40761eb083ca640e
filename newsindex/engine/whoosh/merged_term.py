"""One merged term's postings: its blocks (copied, or rewritten where documents were dropped),
its inline postings, its statistics and its ``posting_arrays``, for ``segment_merge``.

For the fields whose lists have blocks (all but title and body, whose long lists are their
arrays alone: ``merged_arrays``)."""

from __future__ import annotations

import io
import pickle
import struct
import zlib

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_int, pack_long

from . import posting_arrays
from .segment_format import (
    _BLOCK_LIMIT,
    _COMPRESSION,
    _TERMINFO,
    INLINE_LIMIT,
    PICKLE_PROTOCOL,
    block_data,
)

_INT = struct.Struct("!i")
#: Merged lists of at least this many postings have their arrays put together by numpy.
NUMPY_FROM = 2_048


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
        #: Every posting written in blocks, and its weight as Whoosh reads it back: the arrays,
        #: in parts (ids, weights), the last one these lists, filled block by block.
        self.parts: list[tuple] = []
        self.array_ids: list[int] = []
        self.array_weights: list[float] = []
        #: The arrays' bytes as they are, when the merged list is one segment's list unchanged.
        self.same_arrays: bytes | None = None
        self.blocks: list[tuple[bytes, bytes]] = []
        self.inline: tuple[list, list, list] | None = ([], [], [])
        self.weight = self.maxweight = 0.0
        self.count = self.minlength = self.maxlength = self.maxid = 0
        self.minid: int | None = None

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
        mini_weights, data = block_data(docs, weights, values, self.fixed_size)
        info = pickle.dumps((len(docs), docs[-1], max(weights), _COMPRESSION, minlb, maxlb), 2)
        self.blocks.append((info, data))
        self.array_ids += docs
        self.array_weights += posting_arrays.stored_read_back(mini_weights, len(docs))

    def add_arrays(self, ids, weights) -> None:
        """The arrays of a segment's list whose blocks follow (``add_block(arrays_apart=True)``)."""
        if self.inline is not None:
            self._inline_to_blocks()
        self._flush()
        self.parts.append((ids, weights))

    def _flush(self) -> None:
        if self.array_ids:
            self.parts.append((self.array_ids, self.array_weights))
            self.array_ids, self.array_weights = [], []

    def add_block(self, info: tuple, data: bytes, base: int, weight_sum: float, arrays_apart: bool = False) -> None:
        """A block of a segment with no deletions, its numbers shifted by ``base``; with
        ``arrays_apart``, its arrays were given (``add_arrays``, or kept whole: ``same_arrays``)."""
        count, lastid, maxweight, compression, minlb, maxlb = info
        if self.inline is not None:
            self._inline_to_blocks()
        first = None
        if base or not arrays_apart:
            raw = zlib.decompress(data) if compression else data
            deltas, weights, values = pickle.loads(raw)
            deltas = (deltas[0] + base, *deltas[1:])
            if base:
                data = zlib.compress(pickle.dumps((deltas, weights, values), PICKLE_PROTOCOL), _COMPRESSION)
                compression = _COMPRESSION
            first = deltas[0]
            if not arrays_apart:  # a segment without arrays
                self.array_ids += _accumulate(deltas)
                self.array_weights += posting_arrays.stored_read_back(weights, count)
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


def term_entry(merged: _TermMerge, postings: bytearray, base_offset: int) -> bytes | None:
    """The term table value (term info) of the merged term; block data appended to ``postings``."""
    if not merged.count:
        return None
    stats = (merged.weight, merged.count, merged.minlength, merged.maxlength, merged.maxweight)
    head = (*stats, merged.minid, merged.maxid)
    if merged.inline is not None:
        docs, weights, values = merged.inline
        inline = pickle.dumps((tuple(docs), tuple(weights), tuple(values)), PICKLE_PROTOCOL)
        return _TERMINFO.pack(1, *head) + inline
    start = base_offset + len(postings)
    postings += WHOOSH3_HEADER_MAGIC
    last = len(merged.blocks) - 1
    for number, (info, data) in enumerate(merged.blocks):
        size = len(info) + len(data)
        postings += pack_int(-size if number == last else size)
        postings += info
        postings += data
    length = base_offset + len(postings) - start
    arrays = merged.same_arrays if merged.same_arrays is not None else _arrays(merged)
    pointer = posting_arrays.POINTER.pack(base_offset + len(postings), len(arrays))
    postings += arrays
    return _TERMINFO.pack(0, *head) + pack_long(start) + pack_int(length) + pointer


def _arrays(term: _TermMerge) -> bytes:
    """``posting_arrays`` of a merged list, its parts joined (by numpy for a long one)."""
    term._flush()
    if term.count >= NUMPY_FROM or any(not isinstance(part[0], list) for part in term.parts):
        import numpy as np  # a merge only: searches import this module for ``_read_blocks``

        ids, weights = (
            np.concatenate([np.asarray(part[n], dtype=np.float64 if n else np.int64) for part in term.parts])
            for n in range(2)
        )
        return posting_arrays.encode_numpy(np, ids, weights, term.boost)
    ids, weights = ([item for part in term.parts for item in part[n]] for n in range(2))
    return posting_arrays.encode(ids, weights, term.boost)


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


def _accumulate(deltas):
    total = 0
    for delta in deltas:
        total += delta
        yield total
