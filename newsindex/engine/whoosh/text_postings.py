"""A text field's postings while a segment is built: a stream of term numbers and positions.

A dictionary ``term -> [article, encoded positions, ...]`` per field costs a few dictionary
operations and an encoding per posting, in Python, for every distinct word of every
article, and the posting arrays then decode the positions again.  Here an article's kept
tokens come as term numbers (``tokens.kept_term_numbers``: the analysis numbers each term
once, see ``vocabulary``) and are appended with their positions to flat arrays, 8 bytes a
token; a hyphenated word's number is spread into its terms' when the segment is written.
``sorted_lists`` groups them by term and article with numpy when the segment is written:
frequencies are run lengths, a long list's positions one slice, and positions are encoded
one posting at a time only where Whoosh's format keeps them so (a single position, most
postings, by the shared table).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from .segment_format import _ONE_POSITION, INLINE_LIMIT, _term_bytes, encode_positions
from .tokens import hold_vocabulary, release_vocabulary, vocabulary
from .vocabulary import GROUP_BASE, Vocabulary

if TYPE_CHECKING:
    import numpy as np

_UINT32 = "I" if array("I").itemsize == 4 else "L"
_TABLED = len(_ONE_POSITION)  # single positions below this are encoded by table lookup

#: One term's list, as ``_SegmentWriting`` writes it: the term's UTF-8, the articles holding
#: it, its frequency in each; for a list of at most ``INLINE_LIMIT`` (inline in the term
#: table) each posting's encoded positions (Whoosh's ``Positions`` value) and None, for a
#: longer one None and ``(frequencies, every position)`` for ``posting_arrays`` (the list is
#: its arrays alone: ``array_matcher``).
TermList = tuple[bytes, list[int], list[int], "list[bytes] | None", "tuple[list[int], array] | None"]


class TextPostings:
    """Every token of one field of the articles added so far, as term numbers and positions."""

    def __init__(self) -> None:
        self._empty()

    def _empty(self) -> None:
        self.vocabulary: Vocabulary | None = None  # the one the numbers are of, while holding some
        self._known_terms = 0  # the vocabulary's size when this stream began holding its numbers
        self.terms = array(_UINT32)  # each token's number, article after article
        self.positions = array(_UINT32)  # each token's position in its article
        self.docs = array(_UINT32)  # the articles with a token, in order
        self.doc_tokens = array(_UINT32)  # the tokens each of them has in ``terms``
        self._hyphenated = False  # whether any token is a hyphenated word's number
        release_vocabulary(self)

    @property
    def token_count(self) -> int:
        return len(self.terms)

    @property
    def term_count(self) -> int:
        """Terms the vocabulary learnt while this stream held numbers: the memory it grew by."""
        return len(self.vocabulary) - self._known_terms if self.vocabulary is not None else 0

    def add(self, docnum: int, tokens: tuple[list[int], int]) -> int:
        """Add an article's ``kept_term_numbers`` (articles in increasing ``docnum``); returns its
        length as Whoosh counts it (a hyphenated word and its parts each count), 0 for none."""
        kept, first = tokens
        if not kept:
            return 0
        if self.vocabulary is None:
            self.vocabulary = hold_vocabulary(self)
            self._known_terms = len(self.vocabulary)
        elif self.vocabulary is not vocabulary():
            raise RuntimeError("term numbers of a vocabulary renewed while a stream held some")
        self.terms.extend(kept)
        self.positions.extend(range(first, first + len(kept)))
        self.docs.append(docnum)
        self.doc_tokens.append(len(kept))
        if max(kept) < GROUP_BASE:
            return len(kept)
        self._hyphenated = True
        groups = self.vocabulary.groups
        return len(kept) + sum(len(groups[number - GROUP_BASE]) - 1 for number in kept if number >= GROUP_BASE)

    def sorted_lists(self) -> Iterator[TermList]:
        """Every term's list (``TermList``) in the order of the terms' UTF-8 bytes.  Takes the
        tokens out as it sorts them (less memory at the peak): the stream is left empty."""
        import numpy as np  # imported when first needed: a run's start need not wait for it

        if not self.terms:
            return
        vocabulary, hyphenated = self.vocabulary, self._hyphenated
        taken = (self.terms, self.positions, self.docs, self.doc_tokens)
        self._empty()
        terms, positions, docs, doc_tokens = (np.frombuffer(part, dtype=np.uint32) for part in taken)
        del taken
        if hyphenated:
            terms, positions, doc_tokens = _spread(terms, positions, doc_tokens, vocabulary.groups)
        used = np.zeros(len(vocabulary.names), dtype=bool)
        used[terms] = True
        numbers = np.flatnonzero(used)
        del used
        names = vocabulary.names
        keys = [_term_bytes(names[number], exact=False) for number in numbers.tolist()]
        by_key = sorted(range(len(keys)), key=keys.__getitem__)
        # 16-bit ranks while the terms fit: numpy sorts them by radix, in a third of the time.
        rank = np.zeros(len(names), dtype=np.uint16 if len(keys) <= 1 << 16 else np.int32)
        rank[numbers[by_key]] = np.arange(len(keys), dtype=rank.dtype)
        del numbers
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


def _spread(terms: np.ndarray, positions: np.ndarray, doc_tokens: np.ndarray, groups: list[tuple[int, ...]]) -> tuple:
    """The stream with each hyphenated word's number replaced by its terms' numbers, all at
    the word's position, in ``groups``' order (the analyzer's): ``(terms, positions,
    doc_tokens)``.  Only the hyphenated words are looked at in Python, a few per article."""
    import numpy as np  # imported when first needed: a run's start need not wait for it

    at = np.flatnonzero(terms >= GROUP_BASE)
    members = [groups[number] for number in (terms[at] - GROUP_BASE).tolist()]
    widths = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
    counts = np.ones(len(terms), dtype=np.int64)
    counts[at] = widths
    spread_terms = np.repeat(terms, counts)
    spread_positions = np.repeat(positions, counts)
    extra = widths - 1
    begins = at + np.cumsum(extra) - extra  # where each word's terms begin in the spread stream
    offsets = np.arange(int(widths.sum()), dtype=np.int64) - np.repeat(np.cumsum(widths) - widths, widths)
    spread_terms[np.repeat(begins, widths) + offsets] = np.fromiter(
        chain.from_iterable(members), dtype=np.uint32, count=len(offsets)
    )
    owners = np.searchsorted(np.cumsum(doc_tokens, dtype=np.int64), at, side="right")
    spread_tokens = doc_tokens + np.bincount(owners, weights=extra, minlength=len(doc_tokens)).astype(np.uint32)
    return spread_terms, spread_positions, spread_tokens


#: Postings made Python lists together (see ``sorted_lists``).
_POSTINGS_AT_ONCE = 65536


def _encoded(flat: array, firsts, freqs, start_list: list[int], freq_list: list[int], wanted) -> list:
    """Each posting's positions as Whoosh's ``Positions`` format encodes them, for the postings
    ``wanted`` (a boolean array: those of lists kept inline; the others get a placeholder):
    a single position (most postings) from the shared table, in C, the others one by one.
    ``firsts`` and ``freqs`` are the postings' first positions and frequencies as arrays,
    ``start_list`` and ``freq_list`` where they start in ``flat`` and their frequencies."""
    import numpy as np  # imported when first needed: a run's start need not wait for it

    values = list(map(_ONE_POSITION.__getitem__, np.minimum(firsts, _TABLED - 1).tolist()))
    for at in np.flatnonzero(wanted & ((freqs != 1) | (firsts >= _TABLED))).tolist():
        start = start_list[at]
        values[at] = encode_positions(flat[start : start + freq_list[at]].tolist())
    return values
