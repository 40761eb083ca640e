"""Scoring models of the ranking study (``bench/ranking.py --explore`` and ``--grid``), used with
Whoosh directly on the library's index: BM25 with its parameters free, other per-field models
(BM25+, BM25L, LM Dirichlet, DFR), and true BM25F (one saturation for a word's title and body)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import matching, scoring
from whoosh import query as wq

from newsindex.engine.whoosh.analysis import index_terms
from newsindex.engine.whoosh.store import make_schema

#: The title boost the library's schema bakes into the title postings (weight = freq * boost).
INDEXED_TITLE_BOOST = dict(make_schema().items())["title"].format.field_boost


def whoosh_idf(n: int, total: int) -> float:
    """Whoosh's own IDF (what ``scoring.BM25F`` uses): log(N / (n + 1)) + 1."""
    return math.log(total / (n + 1)) + 1


def robertson_idf(n: int, total: int) -> float:
    """The BM25 IDF of Lucene, Anserini, tantivy: log(1 + (N - n + 0.5) / (n + 0.5))."""
    return math.log(1 + (total - n + 0.5) / (n + 0.5))


class _VariantScorer(scoring.WeightLengthScorer):
    def __init__(self, searcher, fieldname: str, text, model: Bm25Variant) -> None:
        parent = searcher.get_parent()
        self.idf = model.idf(parent.doc_frequency(fieldname, text), parent.doc_count_all())
        self.avgfl = parent.avg_field_length(fieldname) or 1
        self.k1, self.b = model.k1, model.b
        # Postings hold freq * the schema's field boost; rescale to the weight under study.
        self.scale = model.title_boost / INDEXED_TITLE_BOOST if fieldname == "title" else 1.0
        self.setup(searcher, fieldname, text)

    def _score(self, weight: float, length: float) -> float:
        tf = weight * self.scale
        return self.idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avgfl))


class Bm25Variant(scoring.WeightingModel):
    """Whoosh's per-field BM25 with the IDF formula, K1, B and title weight as parameters.

    With ``idf=robertson_idf``, the library's K1 and B and ``title_boost=2`` it scores exactly like
    the library's ``WEIGHTING`` on the library's schema (checked at run time).
    """

    def __init__(
        self,
        k1: float = 1.2,
        b: float = 0.75,
        idf: Callable[[int, int], float] = whoosh_idf,
        title_boost: float = INDEXED_TITLE_BOOST,
    ) -> None:
        self.k1, self.b, self.idf, self.title_boost = k1, b, idf, title_boost

    def supports_block_quality(self) -> bool:
        return True

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _VariantScorer(searcher, fieldname, text, self)


@dataclass
class TermStats:
    """Collection statistics of one term in one field, for the models below."""

    docs: int  # N
    df: int
    cf: float  # total weight (frequency x the field's boost)
    avgfl: float


_EXACT_LENGTHS: dict[int, tuple[object, dict[str, list[int]]]] = {}


def exact_lengths(reader) -> dict[str, list[int]]:
    """Unquantised title/body lengths of one segment, re-analysed from the stored text (slow:
    for the study only; the index keeps one lossy byte per document and field)."""
    key = id(reader)
    if key not in _EXACT_LENGTHS:
        lengths: dict[str, list[int]] = {"title": [], "body": []}
        for docnum in range(reader.doc_count_all()):
            stored = {} if reader.is_deleted(docnum) else reader.stored_fields(docnum)
            for name in lengths:
                lengths[name].append(max(1, index_terms(stored.get(name) or "")[1]))
        _EXACT_LENGTHS[key] = (reader, lengths)  # the reader is kept so its id stays unique
    return _EXACT_LENGTHS[key][1]


class FieldModel(scoring.WeightingModel):
    """Any per-field model ``formula(stats, tf, length)``, summed over title and body like
    Whoosh's BM25F; ``exact`` reads unquantised lengths instead of the index's length byte."""

    def __init__(self, formula: Callable[[TermStats, float, float], float], exact: bool = False) -> None:
        self.formula, self.exact = formula, exact

    def supports_block_quality(self) -> bool:
        return False

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _FieldModelScorer(self, searcher, fieldname, text)


class _FieldModelScorer(scoring.BaseScorer):
    def __init__(self, model: FieldModel, searcher, fieldname: str, text) -> None:
        parent = searcher.get_parent()
        self.stats = TermStats(
            parent.doc_count_all(),
            parent.doc_frequency(fieldname, text),
            parent.frequency(fieldname, text),
            parent.avg_field_length(fieldname) or 1,
        )
        self.formula = model.formula
        if model.exact:
            self.length = exact_lengths(searcher.reader())[fieldname].__getitem__
        else:
            self.length = lambda docnum: searcher.doc_field_length(docnum, fieldname, 1)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return math.inf

    def block_quality(self, matcher) -> float:
        return math.inf

    def score(self, matcher) -> float:
        return self.formula(self.stats, matcher.weight(), self.length(matcher.id()))


def bm25_formula(k1: float = 1.2, b: float = 0.75, delta: float = 0.0):
    """BM25 with the standard idf; ``delta`` > 0 is BM25+ (Lv & Zhai 2011)."""

    def formula(st: TermStats, tf: float, dl: float) -> float:
        idf = robertson_idf(st.df, st.docs)
        return idf * ((k1 + 1) * tf / (tf + k1 * (1 - b + b * dl / st.avgfl)) + delta)

    return formula


def bm25l_formula(k1: float = 1.2, b: float = 0.75, delta: float = 0.5):
    """BM25L (Lv & Zhai 2011): a length-normalised tf shifted by ``delta``."""

    def formula(st: TermStats, tf: float, dl: float) -> float:
        c = tf / (1 - b + b * dl / st.avgfl)
        return math.log((st.docs + 1) / (st.df + 0.5)) * (k1 + 1) * (c + delta) / (k1 + c + delta)

    return formula


def dirichlet_formula(mu: float):
    """Query likelihood, Dirichlet smoothing, as Lucene scores it (matched terms only, >= 0)."""

    def formula(st: TermStats, tf: float, dl: float) -> float:
        p = st.cf / (st.avgfl * st.docs)
        return max(0.0, math.log(1 + tf / (mu * p)) + math.log(mu / (dl + mu)))

    return formula


def dph_formula(st: TermStats, tf: float, dl: float) -> float:
    """DPH (Amati 2006), Terrier's parameter-free DFR model."""
    dl = max(dl, tf + 1e-9)
    f = tf / dl
    norm = (1 - f) ** 2 / (tf + 1)
    return norm * (tf * math.log2(tf * st.avgfl / dl * st.docs / st.cf) + 0.5 * math.log2(2 * math.pi * tf * (1 - f)))


def pl2_formula(c: float = 1.0):
    """PL2: Poisson randomness, Laplace after-effect, normalisation 2 (Amati & van Rijsbergen 2002)."""

    def formula(st: TermStats, tf: float, dl: float) -> float:
        tfn = tf * math.log2(1 + c * st.avgfl / dl)
        lam = st.cf / st.docs
        return (tfn * math.log2(tfn / lam) + (lam - tfn) / math.log(2) + 0.5 * math.log2(2 * math.pi * tfn)) / (tfn + 1)

    return formula


def inl2_formula(c: float = 1.0):
    """InL2: inverse document frequency, Laplace after-effect, normalisation 2."""

    def formula(st: TermStats, tf: float, dl: float) -> float:
        tfn = tf * math.log2(1 + c * st.avgfl / dl)
        return tfn / (tfn + 1) * math.log2((st.docs + 1) / (st.df + 0.5))

    return formula


class _CombinedFieldsMatcher(matching.WrappingMatcher):
    """One word's title and body postings scored as one BM25F pseudo-field."""

    def __init__(self, child, parts, reader, idf, avgfl, k1, b, boost=1.0):
        super().__init__(child, boost)
        self.parts, self.reader, self.idf, self.avgfl, self.k1, self.b = parts, reader, idf, avgfl, k1, b

    def copy(self):
        return _CombinedFieldsMatcher(
            self.child.copy(), self.parts, self.reader, self.idf, self.avgfl, self.k1, self.b, self.boost
        )

    def replace(self, minquality=0):
        return self if self.child.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def max_quality(self):
        return math.inf

    def score(self):
        docnum = self.child.id()
        tf = 0.0
        for fieldname, postings in self.parts:
            if postings.is_active() and postings.id() == docnum:
                length = self.reader.doc_field_length(docnum, fieldname, 1)
                tf += postings.weight() / (1 - self.b + self.b * length / self.avgfl[fieldname])
        return self.idf * tf * (self.k1 + 1) / (tf + self.k1) * self.boost


class CombinedFields(wq.Or):
    """True BM25F (Robertson, Zaragoza & Taylor 2004) for one word in title and body: field
    weights (the schema's boost, in the postings) and length normalisation per field, then one
    saturation and one idf (the larger field df, as Lucene's CombinedFieldQuery takes it)."""

    def matcher(self, searcher, context=None):
        weighting = context.weighting if context is not None else searcher.weighting
        if not isinstance(weighting, scoring.BM25F):
            return super().matcher(searcher, context)
        reader, parent = searcher.reader(), searcher.get_parent()
        text, boost = self.subqueries[0].text, self.subqueries[0].boost
        parts, avgfl, df = [], {}, 0
        for sub in self.subqueries:
            btext = searcher.schema[sub.fieldname].to_bytes(text)
            df = max(df, parent.doc_frequency(sub.fieldname, btext))
            avgfl[sub.fieldname] = parent.avg_field_length(sub.fieldname) or 1
            if (sub.fieldname, btext) in reader:
                parts.append((sub.fieldname, reader.postings(sub.fieldname, btext)))
        if not parts:
            return matching.NullMatcher()
        child = parts[0][1] if len(parts) == 1 else matching.UnionMatcher(parts[0][1], parts[1][1])
        return _CombinedFieldsMatcher(
            child,
            parts,
            reader,
            robertson_idf(df, parent.doc_count_all()),
            avgfl,
            weighting.K1,
            weighting.B,
            boost * self.boost,
        )


def fields_combined(parsed):
    """``parsed`` with each word's title and body terms (same text and boost) as one CombinedFields."""
    if type(parsed) is not wq.Or:
        return parsed
    groups: list[list] = []
    open_groups: dict[tuple, list[list]] = {}
    for sub in parsed.subqueries:
        if type(sub) is wq.Term and sub.fieldname in ("title", "body"):
            waiting = open_groups.setdefault((sub.text, sub.boost), [])
            group = next((g for g in waiting if all(t.fieldname != sub.fieldname for t in g)), None)
            if group is None:
                group = [sub]
                waiting.append(group)
                groups.append(group)
            else:
                group.append(sub)
        else:
            groups.append([sub])
    return wq.Or([CombinedFields(g) if len(g) > 1 else g[0] for g in groups], boost=parsed.boost)
