"""Ranking: BM25F with the standard idf, and the parameters chosen across every test collection."""

from __future__ import annotations

import math

from whoosh import scoring


class NewsBM25F(scoring.BM25F):
    """Whoosh's BM25F (BM25 per field, summed over title and body) with the standard BM25
    idf and a title weight of its own.

    The idf is log(1 + (N - n + 0.5) / (n + 0.5)) (Lucene's, tantivy's);
    Whoosh's own, log(N / (n + 1)) + 1, gives common words more weight and
    ranked lower on NPL, Cranfield and CISI.  ``title_weight`` is what a
    title word counts for against a body word: the index stores title
    postings with the schema's field boost (2), and the scorer rescales
    them, so the weight is a search setting, not an index format.
    """

    def __init__(self, B: float, K1: float, title_weight: float) -> None:
        super().__init__(B=B, K1=K1)
        self.title_weight = title_weight

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        frequency = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - frequency + 0.5) / (frequency + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        if fieldname != "title" or not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        indexed = searcher.schema[fieldname].format.field_boost or 1.0
        return _WeightedFieldScorer(searcher, fieldname, text, self.B, self.K1, self.title_weight / indexed)


class _WeightedFieldScorer(scoring.BM25FScorer):
    """BM25 of a field whose postings' weights are rescaled by ``scale``."""

    def __init__(self, searcher, fieldname: str, text, B: float, K1: float, scale: float) -> None:
        self.scale = scale
        super().__init__(searcher, fieldname, text, B, K1)

    def _score(self, weight: float, length: float) -> float:
        return scoring.bm25(self.idf, weight * self.scale, length, self.avgfl, self.B, self.K1)


#: BM25F parameters and the title's weight, chosen across every collection of
#: bench/ranking.py (see the README's ranking section for the figures).
WEIGHTING = NewsBM25F(B=0.4, K1=0.9, title_weight=2.0)
