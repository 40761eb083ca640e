"""Positions of a posting block written without them, read from the list's posting arrays.

A title or body list long enough for blocks keeps its positions once, in its
``posting_arrays`` (right after its blocks in the ``.pst``), and its Whoosh blocks hold
document numbers and weights only (values None): pickling and compressing every
posting's encoded positions a second time was a twentieth of indexing and a
thirteenth of the index.  Our own readers take positions from the arrays; Whoosh's
matcher asks a block for its values only for a phrase it matches itself, and gets
them here, encoded as its ``Positions`` format would read them from the block.
"""

from __future__ import annotations

from itertools import accumulate

from whoosh.codec.whoosh3 import W3LeafMatcher

from . import posting_arrays
from .segment_format import encode_positions

_whoosh_goto = W3LeafMatcher._goto
_whoosh_read_values = W3LeafMatcher._read_values


def _goto_counting(self: W3LeafMatcher, position: int) -> None:
    """``_goto``, keeping the number of the block's first posting in the list (blocks are
    only ever read in order, from ``reset``'s first one)."""
    if position == self._baseoffset:
        self._first_posting = 0
    else:
        self._first_posting += self._blocklength
    _whoosh_goto(self, position)


def _read_values_from_arrays(self: W3LeafMatcher) -> None:
    """``_read_values``; a block of a ``Positions`` list written without values gets them
    from the list's arrays."""
    if self._data is None:
        self._read_data()
    if self._data[2] is not None or self._fixedsize is not None:
        _whoosh_read_values(self)
        return
    lists = self.__dict__.get("_array_positions")
    if lists is None:  # the arrays follow the list's blocks
        raw = posting_arrays.read_whole(self._postfile.get, self._startoffset + _blocks_length(self))
        found = posting_arrays.positions_lists(raw)
        if found is None:
            raise ValueError(f"posting list {self._term!r} has neither block values nor positions")
        counts, flat = found
        lists = self._array_positions = (counts, flat, list(accumulate(counts, initial=0)))
    counts, flat, starts = lists
    first = self._first_posting
    self._values = tuple(
        encode_positions(flat[starts[at] : starts[at] + counts[at]].tolist())
        for at in range(first, first + self._blocklength)
    )


def _blocks_length(matcher: W3LeafMatcher) -> int:
    length = matcher._length  # W3TermInfo reads it as a 1-tuple (struct.unpack's result)
    return length[0] if isinstance(length, tuple) else length


W3LeafMatcher._goto = _goto_counting
W3LeafMatcher._read_values = _read_values_from_arrays
