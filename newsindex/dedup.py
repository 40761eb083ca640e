"""Near-duplicate detection: the same wire story republished by many outlets.

Each article gets a bottom-k sketch: the k smallest CRC-32 hashes of its
4-word shingles.  Two sketches' overlap estimates the resemblance (Jaccard
similarity) of the articles' shingle sets (Broder, 1997).  The sketch is
stored in the index as keywords, so finding an article's near-duplicates is
one small OR query, and comparing two hits is a set intersection.

CRC-32 rather than Python's ``hash()``: it is stable across processes and
runs, which an index kept on disk needs, and is computed in C.
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections.abc import Sequence

SKETCH_SIZE = 32
SHINGLE_WORDS = 4
#: Share of sketch entries two articles must have in common to count as
#: near-duplicates: about 50% of their 4-word shingles shared.
SIMILAR_OVERLAP = 0.5
_WORD_RE = re.compile(r"\w+")
_ASCII_WORD_RE = re.compile(rb"\w+")


def sketch(text: str, size: int = SKETCH_SIZE) -> list[str]:
    """The bottom-k sketch of ``text`` as short hex strings (empty if too short).

    Shingles are joined and hashed by ``map`` over ``zip``, a loop in C; ASCII
    text is split as bytes, which ``\\w`` matches alike, saving an encoding
    per shingle.  Together a third faster than a comprehension (indexing
    sketches every article).
    """
    lowered = text.lower()
    if lowered.isascii():
        words: list[bytes] = _ASCII_WORD_RE.findall(lowered.encode("ascii"))
    else:
        words = [word.encode("utf-8", "surrogatepass") for word in _WORD_RE.findall(lowered)]
    if len(words) < SHINGLE_WORDS * 3:
        return []
    shingles = map(b" ".join, zip(*(words[start:] for start in range(SHINGLE_WORDS)), strict=False))
    hashes = set(map(zlib.crc32, shingles))
    return [f"{value:08x}" for value in sorted(hashes)[:size]]


def resemblance(first: Sequence[str], second: Sequence[str]) -> float:
    """Estimated Jaccard similarity of two articles from their sketches."""
    if not first or not second:
        return 0.0
    size = min(len(first), len(second))
    merged = heapq.nsmallest(size, set(first) | set(second))
    shared = set(first) & set(second)
    return sum(1 for value in merged if value in shared) / size


def are_near_duplicates(first: Sequence[str], second: Sequence[str]) -> bool:
    return resemblance(first, second) >= SIMILAR_OVERLAP
