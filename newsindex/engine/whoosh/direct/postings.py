"""Posting lists of a segment: document numbers and weights, inline or from the ``.pst`` file.

A list of up to ``segment_format.INLINE_LIMIT`` postings is pickled inside its
term info.  A longer one is, from its offset in the ``.pst`` file, a four-byte
tag, then blocks of up to 128 postings: the block's size (negative for the
last block), a pickled header (count, last document, max weight, compression,
min and max length bytes) and the zlib-compressed pickle of (document number
deltas, weights, values).  Weights are None (all 1), one number (all that,
read back as a 32-bit float, as Whoosh reads it), or one per posting.
A list written with its numbers and weights as arrays (``posting_arrays``) is
read from them instead: no decompression, no unpickling.
"""

from __future__ import annotations

import io
import struct
import zlib
from array import array
from itertools import accumulate

from ..posting_arrays import decode_lists
from . import DirectUnsupported, load, loads
from .termtable import TermInfo

_BLOCKS_TAG = b"W3Bl"
_INT = struct.Struct("!i")


def postings(info: TermInfo, postfile) -> tuple[list[int], list[float]]:
    """``(document numbers, weights)`` of one term in one segment, in document order."""
    if info.inline is not None:
        ids, weights, _values = info.inline
        return list(ids), list(weights)
    if info.arrays is not None:
        offset, length = info.arrays
        try:
            return decode_lists(postfile[offset : offset + length])
        except ValueError:
            raise DirectUnsupported("posting arrays this reader does not know") from None
    offset, _length = info.extent
    if postfile[offset : offset + 4] != _BLOCKS_TAG:
        raise DirectUnsupported("posting list without its tag")
    position = offset + 4
    ids: list[int] = []
    weights: list[float] = []
    while True:
        size = _INT.unpack_from(postfile, position)[0]
        last = size < 0
        end = position + 4 + abs(size)
        block = io.BytesIO(postfile[position + 4 : end])
        count, _maxid, _maxweight, compression, _min, _max = load(block)
        data = block.read()
        deltas, block_weights, _values = loads(zlib.decompress(data) if compression else data)
        ids.extend(accumulate(deltas))
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend(array("f", [block_weights]) * count)
        else:
            weights.extend(block_weights)
        if last:
            return ids, weights
        position = end
