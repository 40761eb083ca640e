"""Near-duplicate detection: the same wire story republished by many outlets.

Each article gets a bottom-k sketch: the k smallest CRC-32 hashes of its
4-word shingles.  Two sketches' overlap estimates the resemblance (Jaccard
similarity) of the articles' shingle sets (Broder, 1997).

Near-duplicates are found at index time, once per run, for the whole index:
articles sharing one of their ``SKETCH_INDEXED`` smallest values are
compared (the usual banding of locality-sensitive hashing), and the pairs
that pass are kept as a graph, each article's list of near-duplicates
(``near_duplicate_graph``).  A search then folds and counts a hit's copies
by looking its list up, with no comparison and no term lookup.

CRC-32 rather than Python's ``hash()``: it is stable across processes and
runs, which an index kept on disk needs, and is computed in C.
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import groupby, repeat

SKETCH_SIZE = 32
SHINGLE_WORDS = 4
#: Sketch values that make two articles candidates: the smallest of them.  On
#: Reuters-21578, 4 find 2041 of the 2042 near-duplicate pairs that all 32
#: find (8 find all); the whole sketch decides whether candidates are copies.
SKETCH_INDEXED = 4
#: Near-duplicates kept per article, and candidates compared per article and
#: shared value: a story syndicated wider than this shows "+200 similar", and
#: a value shared by thousands of articles (a boilerplate shingle that
#: cleaning missed) costs at most this many comparisons per article.
MAX_NEIGHBOURS = 200
#: Articles sharing a value that are all compared pairwise; more are split
#: again by their next ``SUB_BANDS`` values, at most ``MAX_SPLITS`` times
#: (see ``_link_sharing``).
SMALL_BUCKET = 16
SUB_BANDS = 3
MAX_SPLITS = 2
#: Share of sketch entries two articles must have in common to count as
#: near-duplicates: about 50% of their 4-word shingles shared.
SIMILAR_OVERLAP = 0.5
_WORD_RE = re.compile(r"\w+")
#: ASCII bytes: capitals become lower case and every byte ``\w`` does not match a space, so
#: ``split()`` yields exactly what ``\w+`` finds in the lower-cased text, at a third of a
#: regular expression's cost.
_ASCII_WORD_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ASCII_WORDS_LOWERED = bytes(bytes([byte]).lower()[0] if byte in _ASCII_WORD_CHARS else 0x20 for byte in range(256))


def _words(text: str) -> list[bytes]:
    """The lower-cased words (``\\w+``) of ``text`` as UTF-8, as its shingles join them."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS_LOWERED).split()
    return [word.encode("utf-8", "surrogatepass") for word in _WORD_RE.findall(text.lower())]


def _shingle_hashes(words: list[bytes]) -> Iterator[int]:
    """The hash of every ``SHINGLE_WORDS`` consecutive words, joined and hashed by ``map``
    over ``zip`` (a loop in C)."""
    shingles = zip(*(words[start:] for start in range(SHINGLE_WORDS)), strict=False)
    return map(zlib.crc32, map(b" ".join, shingles))


def _smallest_hashes(text: str, size: int) -> list[int]:
    """The ``size`` smallest distinct shingle hashes of ``text``, in order (empty if too short).

    Indexing sketches every article, so a long one's hashes are filtered before they are
    collected: only those below where about twice ``size`` of them fall are deduplicated and
    sorted (a set and a sort of thousands of large integers cost more than the hashing).
    Exact: if at least ``size`` distinct values fall below, the smallest are all among them;
    else, rarely, every hash is sorted.
    """
    words = _words(text)
    if len(words) < SHINGLE_WORDS * 3:
        return []
    count = len(words) - SHINGLE_WORDS + 1  # shingles, repeated ones included
    if count > 2 * size:
        below = sorted(set(filter((((2 * size) << 32) // count).__gt__, _shingle_hashes(words))))
        if len(below) >= size:
            return below[:size]
    return sorted(set(_shingle_hashes(words)))[:size]


def sketch(text: str, size: int = SKETCH_SIZE) -> list[str]:
    """The bottom-k sketch of ``text`` as short hex strings (empty if too short)."""
    return [f"{value:08x}" for value in _smallest_hashes(text, size)]


#: A sketch packed for the index's fixed-width column: 4 bytes per value, short
#: sketches padded with this (a real value this large is never among the smallest).
_PAD_VALUE = 0xFFFFFFFF
_PACKED = struct.Struct(f">{SKETCH_SIZE}I")
PACKED_SIZE = _PACKED.size


def packed_sketch(text: str) -> bytes:
    """``pack_sketch(sketch(text))``, as the index's column keeps it, without the hex
    strings in between (indexing sketches every article)."""
    return pack_values(_smallest_hashes(text, SKETCH_SIZE))


def pack_values(values: Sequence[int]) -> bytes:
    """Sketch values (integers) as ``PACKED_SIZE`` bytes, a short sketch padded."""
    return _PACKED.pack(*values, *repeat(_PAD_VALUE, SKETCH_SIZE - len(values)))


def pack_sketch(values: Sequence[str]) -> bytes:
    """A sketch as ``PACKED_SIZE`` bytes, for a column read without unpickling the article."""
    return pack_values([int(value, 16) for value in values[:SKETCH_SIZE]])


def resemblance(first: Sequence[str], second: Sequence[str]) -> float:
    """Estimated Jaccard similarity of two articles from their sketches."""
    if not first or not second:
        return 0.0
    size = min(len(first), len(second))
    merged = heapq.nsmallest(size, set(first) | set(second))
    shared = set(first) & set(second)
    return sum(1 for value in merged if value in shared) / size


def are_near_duplicates(first: Sequence[str], second: Sequence[str]) -> bool:
    if not first or not second:
        return False
    # The estimate counts shared values only, so sketches sharing too few
    # cannot reach the threshold: a set intersection rejects most pairs.
    if len(set(first).intersection(second)) < SIMILAR_OVERLAP * min(len(first), len(second)):
        return False
    return resemblance(first, second) >= SIMILAR_OVERLAP


# --- the near-duplicate graph ---------------------------------------------------------

_HEAD = struct.Struct(f">{SKETCH_INDEXED}I")


def sketch_values(buffer: bytes | bytearray, offset: int = 0) -> tuple[int, ...]:
    """The values of the sketch packed at ``offset`` (by ``pack_sketch``) as integers,
    ordered like their hex strings; empty for a document without a sketch."""
    values = _PACKED.unpack_from(buffer, offset)
    return values if values[-1] != _PAD_VALUE else tuple(v for v in values if v != _PAD_VALUE)


def near_duplicate_graph(
    read_sketches: Callable[[], Iterable[tuple[int, bytes]]], doc_count: int
) -> tuple[array, array]:
    """Every article's near-duplicates, as ``(offsets, neighbours)``: the list of
    document ``d`` is ``neighbours[offsets[d]:offsets[d + 1]]``, in document order.

    ``read_sketches()`` yields ``(docnum, packed sketch)`` for every live
    document; it is called twice.  The first pass keeps the leading
    ``SKETCH_INDEXED`` values, as ``value << 32 | docnum`` keys in 256 arrays
    (8 bytes each; sorting an array brings the articles sharing a value
    together).  The second keeps the whole sketches of the articles that
    share a value with another, the only ones ever compared: at most
    ``PACKED_SIZE`` + 4 bytes per article.  Each bucket is linked on its own
    (``_Linker.bucket``) and an article keeps its ``MAX_NEIGHBOURS`` first
    neighbours in document order, so the graph is a function of the buckets'
    contents alone: ``neargraph`` updates it bucket by bucket from run to run.
    """
    partitions = [array("Q") for _ in range(256)]
    for docnum, packed in read_sketches():
        for value in _HEAD.unpack_from(packed):
            if value != _PAD_VALUE:
                partitions[value >> 24].append(value << 32 | docnum)
    sharing = bytearray(doc_count)
    for number, partition in enumerate(partitions):
        partitions[number] = array("Q", sorted(partition))
        for _value, docs in _buckets(partitions[number]):
            for docnum in docs:
                sharing[docnum] = 1
    # The compared sketches side by side in one buffer (PACKED_SIZE bytes each, no
    # per-object overhead), found by their slot.
    slots = array("i", [-1]) * doc_count
    kept = bytearray()
    for docnum, packed in read_sketches():
        if sharing[docnum]:
            slots[docnum] = len(kept) // PACKED_SIZE
            kept += packed
    linker = _Linker(lambda docnum: sketch_values(kept, slots[docnum] * PACKED_SIZE))
    adjacent: dict[int, set[int]] = {}
    for keys in partitions:
        for value, docs in _buckets(keys):
            for docnum, linked in linker.bucket(value, docs).items():
                adjacent.setdefault(docnum, set()).update(linked)
    offsets = array("I", [0])
    neighbours = array("I")
    for docnum in range(doc_count):
        neighbours.extend(sorted(adjacent.get(docnum, ()))[:MAX_NEIGHBOURS])
        offsets.append(len(neighbours))
    return offsets, neighbours


def _buckets(keys: array) -> Iterator[tuple[int, list[int]]]:
    """``(value, docnums)`` of each value that sorted ``value << 32 | docnum`` keys
    hold for two or more articles."""
    for value, run in groupby(keys, key=lambda key: key >> 32):
        docs = [key & 0xFFFFFFFF for key in run]
        if len(docs) > 1:
            yield value, docs


#: Articles with one identical sketch: the sketch, its values as a set (made once: most pairs
#: compared are rejected by a set intersection), and their document numbers.
_Group = tuple[tuple[int, ...], frozenset[int], list[int]]


class _Linker:
    """Links the near-duplicates among the articles sharing one sketch value.

    A pair of articles may share several of their leading values; it is
    looked at only in the bucket of the smallest value they share, so no
    pair is compared or linked twice and nothing needs remembering between
    buckets: what a bucket links depends on its members (in document order)
    and their sketches alone, which lets a run relink only the buckets whose
    members changed.
    """

    def __init__(self, read: Callable[[int], tuple[int, ...]]) -> None:
        self._read = read
        self.adjacent: dict[int, list[int]] = {}
        self._unpacked: dict[int, tuple[int, ...]] = {}  # the bucket's sketches, unpacked once
        self._seen: set[tuple[int, int]] = set()  # pairs of groups met in the bucket's splits
        self._value = 0

    def of(self, docnum: int) -> tuple[int, ...]:
        found = self._unpacked.get(docnum)
        if found is None:
            found = self._unpacked[docnum] = self._read(docnum)
        return found

    def bucket(self, value: int, docs: list[int]) -> dict[int, list[int]]:
        """The links this bucket makes: each article's neighbours found here
        (at most ``MAX_NEIGHBOURS`` each)."""
        self._value = value
        self.adjacent = {}
        # Identical sketches (copies of one text) travel together as one group:
        # a story copied forty times is split and compared once, not forty times.
        groups: dict[tuple[int, ...], list[int]] = {}
        for docnum in docs:
            groups.setdefault(self.of(docnum), []).append(docnum)
        self._split([(values, frozenset(values), members) for values, members in groups.items()], frozenset((value,)))
        self._unpacked.clear()
        self._seen.clear()
        return self.adjacent

    def _split(self, groups: list[_Group], shared: frozenset[int]) -> None:
        """A few distinct sketches are compared pairwise.  Many sharing a value
        usually means a common phrase (a sign-off, a boilerplate line the
        cleaner kept), not copies, so they are split again by each one's next
        ``SUB_BANDS`` smallest values: near-copies share most of their values
        and meet again, unrelated articles part.  Past ``MAX_SPLITS`` splits
        the remaining sketches (one big story syndicated widely) are each
        compared with their next ``MAX_NEIGHBOURS``."""
        if len(groups) > SMALL_BUCKET and len(shared) <= MAX_SPLITS:
            split: dict[int, list[_Group]] = {}
            for group in groups:
                for value in [v for v in group[0] if v not in shared][:SUB_BANDS]:
                    split.setdefault(value, []).append(group)
            for value, members in split.items():
                if len(members) > 1 or len(members[0][2]) > 1:
                    self._split(members, shared | {value})
            return
        for i, (first_values, first_set, first_docs) in enumerate(groups):
            # Identical sketches are near-duplicates without comparing.
            if len(first_docs) > 1 and self._here(first_values, first_values, first_docs[0], first_docs[0]):
                for j, first in enumerate(first_docs):
                    for second in first_docs[j + 1 : j + 1 + MAX_NEIGHBOURS]:
                        self._link(first, second)
            for second_values, second_set, second_docs in groups[i + 1 : i + 1 + MAX_NEIGHBOURS]:
                if len(first_set & second_set) < SIMILAR_OVERLAP * min(len(first_values), len(second_values)):
                    continue  # too few values shared to be near-duplicates (``are_near_duplicates``)
                if not self._here(first_values, second_values, first_docs[0], second_docs[0]):
                    continue
                if all(len(self.adjacent.get(d, ())) >= MAX_NEIGHBOURS for d in (*first_docs, *second_docs)):
                    continue
                if resemblance(first_values, second_values) >= SIMILAR_OVERLAP:  # shared values checked above
                    for first in first_docs:
                        for second in second_docs:
                            self._link(first, second)

    def _here(self, first: tuple[int, ...], second: tuple[int, ...], first_doc: int, second_doc: int) -> bool:
        """Whether this bucket is the one to look at a pair in, for the first time."""
        if min(set(first[:SKETCH_INDEXED]).intersection(second[:SKETCH_INDEXED])) != self._value:
            return False
        pair = (first_doc, second_doc)
        if pair in self._seen:
            return False
        self._seen.add(pair)
        return True

    def _link(self, first: int, second: int) -> None:
        for one, other in ((first, second), (second, first)):
            neighbours = self.adjacent.setdefault(one, [])
            if len(neighbours) < MAX_NEIGHBOURS:
                neighbours.append(other)
