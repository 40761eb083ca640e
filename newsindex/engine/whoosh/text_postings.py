"""A text field's postings while a segment is built: a stream of term numbers and positions.

A dictionary ``term -> [article, encoded positions, ...]`` per field costs a few dictionary
operations and an encoding per posting, in Python, for every distinct word of every
article, and the posting arrays then decode the positions again.  Here an article's kept
tokens become term numbers by one ``map`` in C (a term gets the next number the first
time it is seen), appended with their positions to flat arrays, 8 bytes a token.
``sorted_lists`` groups them by term and article with numpy when the segment is written:
frequencies are run lengths, a long list's positions one slice, and positions are encoded
one posting at a time only where Whoosh's format keeps them so (a single position, most
postings, by the shared table).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import repeat

import numpy as np

from .segment_format import _ONE_POSITION, INLINE_LIMIT, _term_bytes, encode_positions

_UINT32 = "I" if array("I").itemsize == 4 else "L"
_TABLED = len(_ONE_POSITION)  # single positions below this are encoded by table lookup

#: One term's list, as ``_SegmentWriting`` writes it: the term's UTF-8, the articles holding
#: it, its frequency in each; for a list of at most ``INLINE_LIMIT`` (inline in the term
#: table) each posting's encoded positions (Whoosh's ``Positions`` value) and None, for a
#: longer one None and ``(frequencies, every position)`` for ``posting_arrays`` (the list is
#: its arrays alone: ``array_matcher``).
TermList = tuple[bytes, list[int], list[int], "list[bytes] | None", "tuple[list[int], array] | None"]


class _Numbering(dict):
    """term -> its number; a term not seen yet gets the next number on lookup."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class TextPostings:
    """Every token of one field of the articles added so far, as term numbers and positions."""

    def __init__(self) -> None:
        self._empty()

    def _empty(self) -> None:
        self.numbers = _Numbering()
        self.terms = array(_UINT32)  # each token's term number, article after article
        self.positions = array(_UINT32)  # each token's position in its article
        self.docs = array(_UINT32)  # the articles with a token, in order
        self.doc_tokens = array(_UINT32)  # the tokens each of them has in ``terms``

    @property
    def token_count(self) -> int:
        return len(self.terms)

    @property
    def term_count(self) -> int:
        return len(self.numbers)

    def add(self, docnum: int, tokens: tuple[list, int]) -> int:
        """Add an article's ``kept_tokens`` (articles in increasing ``docnum``); returns its
        length as Whoosh counts it (a hyphenated word and its parts each count), 0 for none."""
        kept, first = tokens
        if not kept:
            return 0
        number = self.numbers.__getitem__
        terms, positions = self.terms, self.positions
        count = len(kept)
        kinds = list(map(type, kept))
        at = 0
        # Runs of single terms in C; a hyphenated word (a tuple: its terms share a position)
        # between them, found by ``list.index`` in C too: a few in most articles.
        while (shared := _index_of(kinds, tuple, at)) >= 0:
            terms.extend(map(number, kept[at:shared]))
            positions.extend(range(first + at, first + shared))
            terms.extend(map(number, kept[shared]))
            positions.extend(repeat(first + shared, len(kept[shared])))
            count += len(kept[shared]) - 1
            at = shared + 1
        terms.extend(map(number, kept[at:] if at else kept))
        positions.extend(range(first + at, first + len(kept)))
        self.docs.append(docnum)
        self.doc_tokens.append(count)
        return count

    def sorted_lists(self) -> Iterator[TermList]:
        """Every term's list (``TermList``) in the order of the terms' UTF-8 bytes.  Takes the
        tokens out as it sorts them (less memory at the peak): the stream is left empty."""
        if not self.terms:
            return
        names = list(self.numbers)  # in number order
        keys = [_term_bytes(name, exact=False) for name in names]
        by_key = sorted(range(len(names)), key=keys.__getitem__)
        # 16-bit ranks while the terms fit: numpy sorts them by radix, in a third of the time.
        rank = np.empty(len(names), dtype=np.uint16 if len(names) <= 1 << 16 else np.int32)
        rank[by_key] = np.arange(len(names), dtype=rank.dtype)
        taken = (self.terms, self.positions, self.docs, self.doc_tokens)
        self._empty()
        terms, positions, docs, doc_tokens = (np.frombuffer(part, dtype=np.uint32) for part in taken)
        del taken
        ranks = rank[terms]
        del terms
        # Stable: within a term, tokens stay in article order and, in an article, in position order.
        order = np.argsort(ranks, kind="stable")
        ranks = ranks[order]
        docs = np.repeat(docs, doc_tokens)[order]
        flat = array(_UINT32)  # the positions in order, as an array (slices for ``posting_arrays``)
        flat.frombytes(memoryview(positions[order]).cast("B"))
        positions = np.frombuffer(flat, dtype=np.uint32)  # and the same memory as numpy's
        del order
        total = len(ranks)
        # A posting starts where the term or the article changes; a term's list where the term does.
        starts = np.flatnonzero(np.r_[True, (ranks[1:] != ranks[:-1]) | (docs[1:] != docs[:-1])]).astype(np.uint32)
        starts = np.append(starts, np.uint32(total))  # and the last one ends at the end
        freqs = np.diff(starts)
        docs = docs[starts[:-1]]
        ranks = ranks[starts[:-1]]
        term_starts = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1], True])  # the last: the end
        del ranks
        list_sizes = np.diff(term_starts)
        inline = np.repeat(list_sizes <= INLINE_LIMIT, list_sizes)  # postings of lists kept inline
        bounds = term_starts.tolist()
        # Python lists for a slice of the postings at a time: the lists of a whole segment at
        # once would hold several times the memory of the arrays.
        first_term, term_count = 0, len(bounds) - 1
        while first_term < term_count:
            after = int(np.searchsorted(term_starts, bounds[first_term] + _POSTINGS_AT_ONCE, side="right")) - 1
            last_term = min(max(after, first_term + 1), term_count)
            low, high = bounds[first_term], bounds[last_term]
            start_list = starts[low : high + 1].tolist()
            doc_list = docs[low:high].tolist()
            freq_list = freqs[low:high].tolist()
            values = _encoded(
                flat, positions[starts[low:high]], freqs[low:high], start_list, freq_list, inline[low:high]
            )
            for number in range(first_term, last_term):
                begin, end = bounds[number] - low, bounds[number + 1] - low
                if end - begin > INLINE_LIMIT:  # the list is its arrays alone: its positions go there
                    positions_of = (freq_list[begin:end], flat[start_list[begin] : start_list[end]])
                    yield keys[by_key[number]], doc_list[begin:end], freq_list[begin:end], None, positions_of
                else:
                    yield keys[by_key[number]], doc_list[begin:end], freq_list[begin:end], values[begin:end], None
            first_term = last_term


def _index_of(items: list, value, start: int) -> int:
    """``items.index(value, start)``, or -1."""
    try:
        return items.index(value, start)
    except ValueError:
        return -1


#: Postings made Python lists together (see ``sorted_lists``).
_POSTINGS_AT_ONCE = 65536


def _encoded(flat: array, firsts, freqs, start_list: list[int], freq_list: list[int], wanted) -> list:
    """Each posting's positions as Whoosh's ``Positions`` format encodes them, for the postings
    ``wanted`` (a boolean array: those of lists kept inline; the others get a placeholder):
    a single position (most postings) from the shared table, in C, the others one by one.
    ``firsts`` and ``freqs`` are the postings' first positions and frequencies as arrays,
    ``start_list`` and ``freq_list`` where they start in ``flat`` and their frequencies."""
    values = list(map(_ONE_POSITION.__getitem__, np.minimum(firsts, _TABLED - 1).tolist()))
    for at in np.flatnonzero(wanted & ((freqs != 1) | (firsts >= _TABLED))).tolist():
        start = start_list[at]
        values[at] = encode_positions(flat[start : start + freq_list[at]].tolist())
    return values
