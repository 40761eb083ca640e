"""The BM25 formula and the ranking's parameters, in one place for both ways of searching.

``weighting.NewsBM25F`` (Whoosh's scorer interface) and the direct reader
(``direct``, which imports no Whoosh) both score with these functions, so a
change of formula or parameter changes both; tests/test_direct_reader.py holds
their scores equal.  Why these parameters: ``weighting``.
"""

from __future__ import annotations

import math

#: BM25's term-frequency saturation and length normalisation (chosen in ``weighting``).
K1 = 0.9
B = 0.4
#: What a title word counts for against a body word, whatever the index stores.
TITLE_WEIGHT = 1.0
#: The schema's field boost of title: its postings are stored with weight freq * 2
#: (``store.make_schema``); the scorer rescales them by ``TITLE_WEIGHT / TITLE_FIELD_BOOST``.
TITLE_FIELD_BOOST = 2.0


def idf(documents: int, frequency: int) -> float:
    """The standard BM25 idf (Lucene's, tantivy's): ``documents`` in the index, deleted ones
    included (as Whoosh counts them), ``frequency`` of them holding the term."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def bm25(idf: float, tf: float, fl: float, avgfl: float, B: float, K1: float) -> float:
    """One term's score in one field of one document: ``tf`` its weight there, ``fl`` the
    field's length (Whoosh's one-byte approximation), ``avgfl`` the field's mean length."""
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
