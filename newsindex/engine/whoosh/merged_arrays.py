"""One merged title or body term (a ``Positions`` field), for ``segment_merge``.

Such a list is inline in the term table (up to ``INLINE_LIMIT`` postings) or its
``posting_arrays`` alone, with an extent of length 0 (``array_matcher``), as the segment
builder writes it.  Its merge gathers each part's numbers, weights and positions (from the
inline pickle, or from the arrays), drops deleted documents, renumbers, and writes the
whole inline or as arrays again; a list taken unchanged (the first segment's, nothing
deleted) keeps its arrays byte for byte.
"""

from __future__ import annotations

import pickle
from itertools import accumulate, compress

from whoosh.system import pack_int, pack_long

from . import posting_arrays
from .merged_term import _length_range
from .segment_files import read_back_in_blocks
from .segment_format import _TERMINFO, INLINE_LIMIT, PICKLE_PROTOCOL, decode_positions, encode_positions


class _Gathered:
    """The merged postings so far: new numbers, weights, positions (count per posting and all of
    them), and the length range of their documents."""

    def __init__(self) -> None:
        self.parts: list[tuple] = []  # (ids, weights, counts, flat) of each part, lists or numpy
        self.minlength = self.maxlength = 0
        self.uses_numpy = False

    def add(self, ids, weights, counts, flat, olds, lengths: bytes | None) -> None:
        if not len(ids):
            return
        self.parts.append((ids, weights, counts, flat))
        low, high = _length_range(lengths, olds)
        if low and (not self.minlength or low < self.minlength):
            self.minlength = low
        self.maxlength = max(self.maxlength, high)


def _inline_part(value: bytes, renumber, base: int) -> tuple:
    """``(new ids, weights, counts, flat, old ids)`` of an inline list."""
    docs, weights, values = pickle.loads(value[_TERMINFO.size :])
    counts, flat = decode_positions(list(values))
    if renumber is None:
        return [doc + base for doc in docs], list(weights), counts, flat, docs
    keep = [renumber[doc] >= 0 for doc in docs]
    kept_flat = list(compress(flat, (k for k, count in zip(keep, counts, strict=True) for _ in range(count))))
    olds = list(compress(docs, keep))
    return [renumber[doc] for doc in olds], list(compress(weights, keep)), list(compress(counts, keep)), kept_flat, olds


def _arrays_part(np, raw: bytes, renumber, base: int) -> tuple:
    """``(new ids, weights, counts, flat, old ids)`` of a list's arrays, as numpy arrays."""
    olds, weights = posting_arrays.decode_numpy(np, raw)
    found = posting_arrays.positions_whole_numpy(np, raw)
    if found is None:
        raise ValueError("a title or body list without positions in its arrays: rebuild the index")
    counts, flat = (part.astype(np.int64) for part in found)
    if renumber is None:
        return olds + base, weights, counts, flat, olds.tolist()
    new = renumber[olds]
    keep = new >= 0
    return new[keep], weights[keep], counts[keep], flat[np.repeat(keep, counts)], olds[keep].tolist()


def positions_entry(parts: list, sources: list, fieldname: str, boost: float, postings: bytearray, offset: int):
    """The term info of one merged title or body term (None when no posting is left); its
    arrays, if it has any, appended to ``postings``, which starts at ``offset`` in the file."""
    if len(parts) == 1:
        _term, number, value = parts[0]
        source = sources[number]
        if not source.base and source.renumber is None:  # unchanged: inline as it is, or its arrays moved
            where = posting_arrays.pointer(value)
            if where is None:
                return value
            return _arrays_entry(value[: _TERMINFO.size], source.postings_bytes(*where), postings, offset)
    gathered = _Gathered()
    np = None
    for _term, number, value in parts:
        source = sources[number]
        lengths = source.lengths.get(fieldname)
        where = posting_arrays.pointer(value)
        if where is None:
            *part, olds = _inline_part(value, source.renumber, source.base)
        else:
            if np is None:
                import numpy as np  # merges only: a search process never needs it here

            renumber = source.numpy_renumber(np) if source.renumber is not None else None
            *part, olds = _arrays_part(np, source.postings_bytes(*where), renumber, source.base)
            gathered.uses_numpy = True
        gathered.add(*part, olds, lengths)
    return _entry(np, gathered, boost, postings, offset)


def _entry(np, gathered: _Gathered, boost: float, postings: bytearray, offset: int):
    if not gathered.parts:
        return None
    if gathered.uses_numpy:
        ids, weights, counts, flat = (
            np.concatenate([np.asarray(part[n], dtype=np.float64 if n == 1 else np.int64) for part in gathered.parts])
            for n in range(4)
        )
        count = len(ids)
        head = (float(weights.sum()), count, gathered.minlength, gathered.maxlength, float(weights.max()))
        head += (int(ids[0]), int(ids[-1]))
        if count <= INLINE_LIMIT:
            return _inline_entry(head, ids.tolist(), weights.tolist(), counts.tolist(), flat.tolist())
        exact = posting_arrays.exact_in_32_bits(boost) and bool((counts * boost == weights).all())
        arrays = posting_arrays.encode_numpy(np, ids, weights, boost, counts if exact else None, (counts, flat))
        return _arrays_entry(_TERMINFO.pack(0, *head), arrays, postings, offset)
    ids, weights, counts, flat = ([item for part in gathered.parts for item in part[n]] for n in range(4))
    head = (sum(weights), len(ids), gathered.minlength, gathered.maxlength, max(weights), ids[0], ids[-1])
    if len(ids) <= INLINE_LIMIT:
        return _inline_entry(head, ids, weights, counts, flat)
    exact = posting_arrays.exact_in_32_bits(boost) and all(c * boost == w for c, w in zip(counts, weights, strict=True))
    read = weights if exact else read_back_in_blocks(weights)
    arrays = posting_arrays.encode(ids, read, boost, counts if exact else None, (counts, flat))
    return _arrays_entry(_TERMINFO.pack(0, *head), arrays, postings, offset)


def _inline_entry(head: tuple, ids: list, weights: list, counts: list, flat: list) -> bytes:
    starts = list(accumulate(counts, initial=0))
    values = tuple(encode_positions(flat[starts[at] : starts[at + 1]]) for at in range(len(ids)))
    return _TERMINFO.pack(1, *head) + pickle.dumps((tuple(ids), tuple(weights), values), PICKLE_PROTOCOL)


def _arrays_entry(info_head: bytes, arrays: bytes, postings: bytearray, offset: int) -> bytes:
    """A term info of a list that is its arrays alone: an extent of length 0 at them."""
    at = offset + len(postings)
    postings += arrays
    return info_head + pack_long(at) + pack_int(0) + posting_arrays.POINTER.pack(at, len(arrays))
