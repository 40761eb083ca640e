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

from whoosh.codec.whoosh3 import W3LeafMatcher

_whoosh_init = W3LeafMatcher.__init__
_whoosh_goto = W3LeafMatcher._goto
_whoosh_value = W3LeafMatcher.value


def _init(self: W3LeafMatcher, *args, **kwargs) -> None:
    """``__init__``, this module's attributes set first: set later, on some matchers only, they
    would unshare the instances' attribute dictionaries, and every attribute read of a matcher
    (``is_active``, ``id``: millions in a big search) would slow down by a tenth."""
    self._first_posting = 0
    self._array_positions = None
    _whoosh_init(self, *args, **kwargs)


def _goto_counting(self: W3LeafMatcher, position: int) -> None:
    """``_goto``, keeping the number of the block's first posting in the list (blocks are
    only ever read in order, from ``reset``'s first one)."""
    if position == self._baseoffset:
        self._first_posting = 0
    else:
        self._first_posting += self._blocklength
    _whoosh_goto(self, position)


def _valueless(matcher: W3LeafMatcher) -> bool:
    """Whether the current block is a ``Positions`` list's written without values."""
    if matcher._data is None:
        matcher._read_data()
    return matcher._data[2] is None and matcher._fixedsize is None


def _positions(matcher: W3LeafMatcher) -> list[int]:
    """The current posting's positions, from the list's arrays (read once per matcher)."""
    positions_of = matcher._array_positions
    if positions_of is None:  # the arrays follow the list's blocks
        from . import posting_arrays  # here: imported by every search process that opens Whoosh

        raw = posting_arrays.read_whole(matcher._postfile.get, matcher._startoffset + _blocks_length(matcher))
        positions_of = matcher._array_positions = posting_arrays.positions_of_postings(raw)
        if positions_of is None:
            raise ValueError(f"posting list {matcher._term!r} has neither block values nor positions")
    return positions_of(matcher._first_posting + matcher._i)


def _value(self: W3LeafMatcher):
    """``value``: a valueless block's posting encoded as the ``Positions`` format reads it."""
    if self._values is None and _valueless(self):
        from .segment_format import encode_positions  # here, as posting_arrays

        return encode_positions(_positions(self))
    return _whoosh_value(self)


def _value_as(self: W3LeafMatcher, astype: str):
    """``value_as``: a valueless block's positions straight from the arrays, not encoded and
    decoded again (Whoosh's phrase matchers ask this of every posting they check)."""
    if astype == "positions" and self._values is None and _valueless(self):
        return _positions(self)
    return self.format.decoder(astype)(self.value())


def _blocks_length(matcher: W3LeafMatcher) -> int:
    length = matcher._length  # W3TermInfo reads it as a 1-tuple (struct.unpack's result)
    return length[0] if isinstance(length, tuple) else length


W3LeafMatcher.__init__ = _init
W3LeafMatcher._goto = _goto_counting
W3LeafMatcher.value = _value
W3LeafMatcher.value_as = _value_as
