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


def sketch(text: str, size: int = SKETCH_SIZE) -> list[str]:
    """The bottom-k sketch of ``text`` as short hex strings (empty if too short)."""
    words = _WORD_RE.findall(text.lower())
    if len(words) < SHINGLE_WORDS * 3:
        return []
    hashes = {
        zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8", "surrogatepass"))
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    return [f"{value:08x}" for value in heapq.nsmallest(size, hashes)]


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
