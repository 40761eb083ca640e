"""Whoosh's matcher for a posting list kept in its ``posting_arrays`` alone: a title or body list.

Since index format 10, a title or body list too long to be inline in the term table has no
Whoosh posting blocks: its document numbers, weights and positions are in its arrays only.
Writing the blocks too, for Whoosh's matcher alone (our readers all read the arrays), was a
twentieth of indexing and a sixteenth of the index.  Such a list's term info has an extent of
length 0 at its arrays, and ``W3Codec.postings_reader`` (patched here) gives it an
``ArrayMatcher`` where it gave a ``W3LeafMatcher``.

The matcher reads the arrays whole when first asked for a posting, without numpy (a search
that needs no numpy does not import it), and walks them in blocks of 128 postings as Whoosh's matcher
walked its blocks, so that a collector skipping blocks by their quality keeps doing so: a
block's largest weight is exact, its length range the term's (wider, still a bound).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator

from whoosh.codec import whoosh3
from whoosh.matching import LeafMatcher, ReadTooFar

from . import posting_arrays

BLOCK = 128  # postings per block, as Whoosh's writer made them


class ArrayMatcher(LeafMatcher):
    """A posting list from its arrays: numbers, weights, and each posting's positions.

    The arrays are read on the first call that needs them: Whoosh makes a matcher for every
    term of a query, and many are never walked (counting reads the arrays by itself); a
    common word's list at a million articles is hundreds of thousands of postings.
    """

    def __init__(self, read: Callable[[], bytes], format_, scorer=None, term=None, terminfo=None) -> None:
        self._read = read
        self._ids: list[int] | None = None
        self._weights: list[float] | None = None
        self._positions_of: Callable[[int], list[int]] | None = None
        self._block_weights: list[float] | None = None
        self.format = format_
        self.scorer = scorer
        self._term = term
        self._terminfo = terminfo
        self._i = 0

    def _load(self) -> list[int]:
        raw = self._read()
        self._ids, self._weights = posting_arrays.decode_lists(raw)
        self._positions_of = posting_arrays.positions_of_postings(raw)
        weights = self._weights
        self._block_weights = [max(weights[start : start + BLOCK]) for start in range(0, len(weights), BLOCK)]
        return self._ids

    def copy(self) -> ArrayMatcher:
        twin = ArrayMatcher(self._read, self.format, self.scorer, self._term, self._terminfo)
        twin._ids, twin._weights, twin._positions_of = self._ids, self._weights, self._positions_of
        twin._block_weights = self._block_weights
        twin._i = self._i
        return twin

    def is_active(self) -> bool:
        return self._i < len(self._ids if self._ids is not None else self._load())

    def reset(self) -> None:
        self._i = 0

    def id(self) -> int:
        return (self._ids if self._ids is not None else self._load())[self._i]

    def weight(self) -> float:
        if self._ids is None:
            self._load()
        return self._weights[self._i]

    def all_ids(self) -> Iterator[int]:
        ids = self._ids if self._ids is not None else self._load()
        start, self._i = self._i, len(ids)
        return iter(ids[start:])

    def next(self) -> bool:
        """To the next posting; True when it starts a block (as Whoosh's matcher answers)."""
        self._i += 1
        return self._i % BLOCK == 0 or self._i == len(self._ids if self._ids is not None else self._load())

    def skip_to(self, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if targetid > self._ids[self._i]:
            self._i = bisect_left(self._ids, targetid, self._i)

    def _positions(self) -> list[int]:
        if self._ids is None:
            self._load()
        if self._positions_of is None:
            raise ValueError(f"posting list {self._term!r} has neither blocks nor positions")
        return self._positions_of(self._i)

    def value(self) -> bytes:
        """The posting's positions encoded as Whoosh's ``Positions`` format reads them."""
        from .segment_format import encode_positions  # here: the writer's module, imported on demand

        return encode_positions(self._positions())

    def value_as(self, astype: str):
        """Positions straight from the arrays (Whoosh's phrase matchers ask for them at every
        posting they check); anything else decoded from ``value`` by the format."""
        if astype == "positions":
            return self._positions()
        return self.format.decoder(astype)(self.value())

    # Blocks of ``BLOCK`` postings, for skipping by quality.

    def _block_end(self) -> int:
        return min(len(self._ids if self._ids is not None else self._load()), (self._i // BLOCK + 1) * BLOCK)

    def block_min_id(self) -> int:
        return (self._ids if self._ids is not None else self._load())[self._i // BLOCK * BLOCK]

    def block_max_id(self) -> int:
        return self._ids[self._block_end() - 1]

    def block_max_weight(self) -> float:
        if self._ids is None:
            self._load()
        return self._block_weights[self._i // BLOCK]

    def block_min_length(self) -> int:
        return self._terminfo.min_length()

    def block_max_length(self) -> int:
        return self._terminfo.max_length()

    def skip_to_quality(self, minquality: float) -> int:
        """Past every block whose quality is at most ``minquality``; returns how many."""
        skipped = 0
        while self.is_active() and self.block_quality() <= minquality:
            self._i = self._block_end()
            skipped += 1
        return skipped


_whoosh_postings_reader = whoosh3.W3Codec.postings_reader


def _postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
    """``W3Codec.postings_reader``: a list without blocks (an extent of length 0) read from its
    arrays by an ``ArrayMatcher``; any other by Whoosh's own matchers."""
    if not terminfo.is_inlined():
        offset, length = terminfo.extent()
        if not (length[0] if isinstance(length, tuple) else length):  # read back as a 1-tuple
            return ArrayMatcher(lambda: posting_arrays.read_whole(dbfile.get, offset), format_, scorer, term, terminfo)
    return _whoosh_postings_reader(self, dbfile, terminfo, format_, term=term, scorer=scorer)


whoosh3.W3Codec.postings_reader = _postings_reader
