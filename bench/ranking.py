"""Ranking quality of newsindex search on classic IR test collections, beside tantivy's BM25.

Collections (read in place, never copied into the repository):

* NPL, prepared: ``ir-prepared/npl/`` -- ``docs/npl-NNNNN.txt`` (one file per document, no
  header), ``queries.tsv`` (id TAB text) and ``qrels.tsv`` (query id TAB relevant file stem).
* Cranfield and CISI, raw: ``ir/cran/`` and ``ir/cisi/`` (SMART ``.I/.T/.W`` files).  They are
  written out as one ``<title>\\n\\n<abstract>`` text file per document into a temporary
  directory, i.e. in the layout of a scraped article, so the library's title field is exercised
  on real titles (NPL documents have none).
* Reuters topics, news: the 20,841 ``reuters-txt`` stories, one query per Reuters-21578 topic
  (its documented name, e.g. "Crude Oil"), the stories filed under it as the relevant ones
  (``load_reuters_topics``).  Labels, not judgments; but news, which the other three are not.

Every query is reduced to its words (lower-cased, punctuation dropped: an upper-case ``OR``
or a trailing ``?`` would otherwise be query syntax) and run through
``newsindex.query.search(words, index, SearchOptions(match="any", limit=1000))``: a ranked OR of
the query's words.  Scores are the standard ones, binary relevance: MAP (average precision over
the relevant documents retrieved in the top 1000, divided by the number of relevant documents;
averaged over every query with at least one judgment), P@10 and nDCG@10 (gain 1, discount
log2(rank + 1)).  The anchor, run in the same pass on the same files, is tantivy's BM25 (K1 1.2,
B 0.75, the ``en_stem`` tokenizer, one field holding the whole file, OR of the words).

``--explore`` adds a study with Whoosh directly -- BM25 K1/B, the IDF formula, the title weight,
stop words, stemming, the title/body layout -- on every collection, so that a change is only
recommended when it is general, not fitted to NPL's queries.

    python3 bench/ranking.py                       # NPL, Cranfield, CISI, Reuters: vs tantivy
    python3 bench/ranking.py --explore             # + the parameter study (a few minutes)
    python3 bench/ranking.py --collections npl --index /tmp/rank-ix   # keep/reuse the indexes
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import math
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ir_collections import (  # noqa: E402
    Collection,
    load_adi,
    load_cisi,
    load_cran,
    load_lisa,
    load_med,
    load_npl,
    load_reuters_topics,
)
from whoosh import index as whoosh_index  # noqa: E402
from whoosh import matching, scoring  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402

from newsindex.engine.whoosh.analysis import (  # noqa: E402
    TOKEN_PATTERN,
    FoldFilter,
    HyphenPartsFilter,
    _stem_word,
    index_terms,
    news_analyzer,
)
from newsindex.engine.whoosh.parsing import parse_query  # noqa: E402
from newsindex.engine.whoosh.store import make_schema, open_index  # noqa: E402
from newsindex.engine.whoosh.weighting import WEIGHTING as LIBRARY_WEIGHTING  # noqa: E402
from newsindex.index import IndexProblem, build_index  # noqa: E402
from newsindex.query import QueryError, SearchOptions, search  # noqa: E402

#: The parser module, whose function-word dropping the ablation turns off.
library_parser = importlib.import_module("newsindex.engine.whoosh.parsing")

DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_NPL = DEFAULT_DATA / "ir-prepared" / "npl"
DEFAULT_IR = DEFAULT_DATA / "ir"
DEPTH = 1000
QUERY_WORD_RE = re.compile(TOKEN_PATTERN)
#: The title boost the library's schema bakes into the title postings (weight = freq * boost).
INDEXED_TITLE_BOOST = dict(make_schema().items())["title"].format.field_boost

Ranking = dict[str, list[str]]  # query id -> document stems, best first


# --- queries ------------------------------------------------------------------------------------


def query_words(text: str) -> str:
    """The query's words only, lower-case: a bag of words, free of query syntax."""
    return " ".join(QUERY_WORD_RE.findall(text.lower()))


# --- metrics ------------------------------------------------------------------------------------


@dataclass
class Scores:
    map: float | None  # None when the run is only 10 deep
    p10: float
    ndcg10: float
    queries: int


def evaluate(ranking: Ranking, collection: Collection, top10_only: bool = False) -> Scores:
    """MAP, P@10 and nDCG@10 (binary gains) averaged over the judged queries."""
    aps, p10s, ndcgs = [], [], []
    for qid in collection.judged:
        relevant = collection.qrels[qid]
        ranked = ranking.get(qid, [])[:DEPTH]
        found, precision_sum, dcg = 0, 0.0, 0.0
        for rank, stem in enumerate(ranked, 1):
            if stem in relevant:
                found += 1
                precision_sum += found / rank
                if rank <= 10:
                    dcg += 1 / math.log2(rank + 1)
        ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), 10) + 1))
        aps.append(precision_sum / len(relevant))
        p10s.append(sum(1 for stem in ranked[:10] if stem in relevant) / 10)
        ndcgs.append(dcg / ideal)
    mean_ap = None if top10_only else statistics.fmean(aps)
    return Scores(mean_ap, statistics.fmean(p10s), statistics.fmean(ndcgs), len(aps))


# --- runs: the library, tantivy -----------------------------------------------------------------


def _options(**wanted: object) -> SearchOptions:
    """``SearchOptions`` with the settings this version of the library knows about."""
    known = {f.name for f in dataclasses.fields(SearchOptions)}
    return SearchOptions(**{k: v for k, v in wanted.items() if k in known})


def library_run(collection: Collection, index_dir: Path, match: str = "any", limit: int = DEPTH,
                fold: bool = False, feedback: bool = True, function_words: bool = False,
                matched: set[str] | None = None) -> Ranking:
    """Rank with ``newsindex.query.search`` exactly as a library user would.

    Near-duplicate folding (the CLI's default) is off unless ``fold``: an IR ranking is scored in
    full, and a copy folded behind its story counts as a miss.  ``feedback=False`` is
    ``--no-feedback``; ``function_words=True`` keeps the function words an any-query drops.
    ``matched``, when given, collects the queries that matched as typed (not relaxed).
    """
    options = _options(match=match, limit=limit, duplicates=not fold, suggest=False, feedback=feedback)
    ranking: Ranking = {}
    dropping = library_parser._without_function_words
    if function_words:
        library_parser._without_function_words = lambda parsed, text: parsed
    try:
        for qid in collection.judged:
            try:
                result = search(query_words(collection.queries[qid]), index_dir, options)
            except QueryError:
                ranking[qid] = []
                continue
            ranking[qid] = [Path(hit.path).stem for hit in result.hits]
            if matched is not None and result.total and not result.relaxed:
                matched.add(qid)
    finally:
        library_parser._without_function_words = dropping
    return ranking


def tantivy_run(collection: Collection, index_root: Path, notes: list[str]) -> Ranking | None:
    """The anchor: tantivy BM25 over the whole file text, ``en_stem`` tokenizer, OR of the words."""
    try:
        import tantivy
    except ImportError:
        notes.append("tantivy is not installed (pip install tantivy): no anchor")
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("stem", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    path = index_root / f"tantivy-{collection.name}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = tantivy.Index(schema, path=str(path))
    writer = ix.writer()
    for doc in sorted(collection.docs_dir.rglob("*.txt")):
        writer.add_document(tantivy.Document(stem=doc.stem, body=doc.read_text(encoding="utf-8", errors="replace")))
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    searcher = ix.searcher()
    ranking: Ranking = {}
    for qid in collection.judged:
        words = re.findall(r"\w+", collection.queries[qid].lower())
        if not words:
            ranking[qid] = []
            continue
        parsed = ix.parse_query(" ".join(words), ["body"])
        hits = searcher.search(parsed, DEPTH).hits
        ranking[qid] = [searcher.doc(address)["stem"][0] for _score, address in hits]
    return ranking


# --- exploration with Whoosh directly ----------------------------------------------------------


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

    def __init__(self, k1: float = 1.2, b: float = 0.75, idf: Callable[[int, int], float] = whoosh_idf,
                 title_boost: float = INDEXED_TITLE_BOOST) -> None:
        self.k1, self.b, self.idf, self.title_boost = k1, b, idf, title_boost

    def supports_block_quality(self) -> bool:
        return True

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _VariantScorer(searcher, fieldname, text, self)


@dataclass
class Feedback:
    """Pseudo-relevance feedback: Bo1 (Amati), Terrier's query expansion model.

    The ``docs`` top documents of a first search give ``terms`` expansion terms (Bo1 over their
    title and body text, weights normalised to 1 for the best), added to the query with boost
    ``beta * weight``.  Terrier's defaults are 3 documents, 10 terms, beta 1: used untuned.
    """

    docs: int = 3
    terms: int = 10
    beta: float = 1.0

    def expand(self, searcher, parsed, results):
        from whoosh import classify
        from whoosh import query as wq

        top = [docnum for _score, docnum in results.top_n[: self.docs]]
        if not top:
            return parsed
        expander = classify.Expander(searcher.reader(), "body", model=classify.Bo1Model)
        for docnum in top:
            stored = searcher.stored_fields(docnum)
            expander.add_text(f"{stored.get('title', '')}\n{stored.get('body', '')}")
        original = {text for fieldname, text in parsed.iter_all_terms() if fieldname in ("title", "body")}
        added = []
        for term, weight in expander.expanded_terms(self.terms, normalize=True):
            if term not in original and weight > 0:
                boost = self.beta * weight
                added.append(wq.Or([wq.Term("title", term, boost=boost), wq.Term("body", term, boost=boost)]))
        return wq.Or([parsed, *added]) if added else parsed


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
        self.stats = TermStats(parent.doc_count_all(), parent.doc_frequency(fieldname, text),
                               parent.frequency(fieldname, text), parent.avg_field_length(fieldname) or 1)
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
        return _CombinedFieldsMatcher(self.child.copy(), self.parts, self.reader, self.idf, self.avgfl, self.k1,
                                      self.b, self.boost)

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
        return _CombinedFieldsMatcher(child, parts, reader, robertson_idf(df, parent.doc_count_all()), avgfl,
                                      weighting.K1, weighting.B, boost * self.boost)


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


@dataclass
class Rm3:
    """RM3 pseudo-relevance feedback (Lavrenko & Croft; as Anserini runs it): the ``docs`` best
    documents' term distributions, weighted by their scores, give ``terms`` expansion terms
    (skipping those in more than ``max_df`` of the documents); the query is ``original`` x the
    normalised original terms + (1 - ``original``) x the normalised expansion.  ``rerank``: the
    expansion only re-scores what the original query matches (totals and facets unchanged)."""

    docs: int = 10
    terms: int = 10
    original: float = 0.5
    max_df: float = 0.1
    rerank: bool = False

    def expand(self, searcher, parsed, results):
        top = results.top_n[: self.docs]
        if not top:
            return parsed
        total = searcher.doc_count_all()
        relevance: dict[str, float] = {}
        for score, docnum in top:
            stored = searcher.stored_fields(docnum)
            counts: dict[str, int] = {}
            for name in ("title", "body"):
                for term, positions in index_terms(stored.get(name) or "")[0].items():
                    counts[term] = counts.get(term, 0) + len(positions)
            length = sum(counts.values()) or 1
            for term, count in counts.items():
                relevance[term] = relevance.get(term, 0.0) + score * count / length
        chosen = []
        for term, weight in sorted(relevance.items(), key=lambda item: -item[1]):
            df = max(searcher.doc_frequency("title", term), searcher.doc_frequency("body", term))
            if len(term) > 1 and not term.isdigit() and df <= self.max_df * total:
                chosen.append((term, weight))
                if len(chosen) == self.terms:
                    break
        originals = [text for name, text in parsed.iter_all_terms() if name == "body"]
        weights: dict[str, float] = {}
        for term in originals:
            weights[term] = weights.get(term, 0.0) + self.original / len(originals)
        norm = sum(w for _t, w in chosen) or 1
        for term, weight in chosen:
            weights[term] = weights.get(term, 0.0) + (1 - self.original) * weight / norm
        expanded = wq.Or([wq.Or([wq.Term("title", t, boost=w), wq.Term("body", t, boost=w)])
                          for t, w in weights.items()])
        return wq.AndMaybe(wq.ConstantScoreQuery(parsed, 0.0), expanded) if self.rerank else expanded


def whoosh_run(collection: Collection, index_dir: Path, weighting: scoring.WeightingModel,
               feedback: Feedback | Rm3 | None = None, function_words: bool = False,
               combine: bool = False) -> Ranking:
    """Rank with the library's parser on a newsindex (or same-schema) index under ``weighting``.

    ``function_words``: keep them in the query (the library drops them from an any-query);
    ``combine``: score each word's title and body as one BM25F field (``CombinedFields``).
    """
    ix = open_index(index_dir) if (index_dir / "CURRENT").exists() else whoosh_index.open_dir(str(index_dir))
    ranking: Ranking = {}
    dropping = library_parser._without_function_words
    if function_words:
        library_parser._without_function_words = lambda parsed, text: parsed
    try:
        with ix.searcher(weighting=weighting) as searcher:
            _rank_all(collection, ix, searcher, ranking, feedback, combine)
    finally:
        library_parser._without_function_words = dropping
    return ranking


def _rank_all(collection, ix, searcher, ranking, feedback, combine) -> None:
    stems = {docnum: Path(fields["path"]).stem for docnum, fields in searcher.iter_docs()}
    for qid in collection.judged:
        try:
            parsed = parse_query(query_words(collection.queries[qid]), ix.schema, "any")
        except QueryError:
            ranking[qid] = []
            continue
        if combine:
            parsed = fields_combined(parsed)
        results = searcher.search(parsed, limit=DEPTH, optimize=False)
        if feedback is not None:
            expanded = feedback.expand(searcher, parsed, results)
            results = searcher.search(expanded, limit=DEPTH, optimize=False)
        ranking[qid] = [stems[docnum] for _score, docnum in results.top_n]


def analyzer_variant(stop: bool = True, stem: bool = True):
    """The library's analyzer with stop words and/or stemming switched off."""
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FoldFilter()
    if stop:
        chain = chain | StopFilter(minsize=1)
    chain = chain | HyphenPartsFilter()
    if stem:
        chain = chain | StemFilter(stemfn=_stem_word, cachesize=100_000)
    return chain


def build_variant(source_index: Path, out_dir: Path, analyzer, layout: str) -> Path:
    """A Whoosh index of the library's own extracted title/body (read back from its stored
    fields), with another analyzer or title/body layout:

    * ``split``: title and body in their fields, as the library indexes them;
    * ``merged``: no title field content, body = title + body (one field, like the anchor);
    * ``copy``: body = title + body, and the title field as well (catch-all plus title boost);
    * ``lone``: a title with no body after it is body text (what a header-less one-line file is).
    """
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    schema = Schema(
        path=ID(stored=True),
        title=TEXT(analyzer=analyzer, field_boost=INDEXED_TITLE_BOOST, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
    )
    ix = whoosh_index.create_in(str(out_dir), schema)
    writer = ix.writer(limitmb=256)
    with open_index(source_index).searcher() as searcher:
        for fields in searcher.all_stored_fields():
            title, body = fields.get("title", ""), fields.get("body", "")
            if layout == "merged":
                title, body = "", f"{title}\n\n{body}".strip()
            elif layout == "copy":
                body = f"{title}\n\n{body}".strip()
            elif layout == "lone" and not body:
                title, body = "", title
            writer.add_document(path=fields["path"], title=title, body=body)
    writer.commit()
    return out_dir


# --- reporting ----------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    scores: dict[str, Scores]
    rankings: dict[str, Ranking] = field(default_factory=dict)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def print_table(title: str, rows: Sequence[Row], names: Sequence[str], anchor: Row | None) -> None:
    """One line per run: MAP / P@10 / nDCG@10 per collection and MAP relative to the anchor."""
    print(f"\n{title}")
    head = f"{'run':<50}" + "".join(f"| {name.upper():^22}" for name in names) + "| mean MAP"
    print(head)
    print(f"{'':<50}" + "| MAP    P@10   nDCG@10 " * len(names) + "| vs anchor")
    print("-" * len(head) + "-" * 4)
    for row in rows:
        cells = "".join(
            f"| {_fmt(row.scores[n].map)}  {row.scores[n].p10:.3f}  {row.scores[n].ndcg10:.3f}  " for n in names
        )
        rel = ""
        if anchor is not None and row is not anchor and all(row.scores[n].map for n in names):
            rel = f"{statistics.fmean(row.scores[n].map / anchor.scores[n].map for n in names) - 1:+.1%}"
        print(f"{row.label:<50}{cells}| {rel}")


def npl_title_report(collection: Collection, index_dir: Path) -> str:
    """How the text extractor titles header-less NPL documents (their one line: title or body?)."""
    with open_index(index_dir).searcher() as searcher:
        titled = empty_body = total = 0
        for fields in searcher.all_stored_fields():
            total += 1
            titled += bool(fields.get("title"))
            empty_body += not fields.get("body")
    return (
        f"NPL documents are one line with no header: the extractor gave {titled}/{total} ({titled / total:.0%}) "
        f"a title (the first line) and left {empty_body} with an empty body."
    )


def _usable(index_dir: Path) -> bool:
    """Whether a kept index can be reused (it exists and this library version reads it)."""
    try:
        open_index(index_dir)
    except IndexProblem:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_NPL, help="prepared NPL directory (docs/, queries.tsv, "
                        "qrels.tsv); default %(default)s")
    parser.add_argument("--ir", type=Path, default=DEFAULT_IR, help="raw collections with cran/ and cisi/; "
                        "default %(default)s")
    parser.add_argument("--collections", default=",".join(LOADERS),
                        help="comma-separated subset of %(default)s (default: all)")
    parser.add_argument("--index", type=Path, help="keep indexes under DIR and reuse them when present "
                        "(delete DIR after changing the library's analysis); default: a fresh temporary directory")
    parser.add_argument("--explore", action="store_true", help="also run the BM25/title/analysis study with Whoosh")
    parser.add_argument("--grid", action="store_true", help="also run the BM25 K1/B and title-weight grid "
                        "(no feedback) and pick settings leaving one collection out at a time")
    parser.add_argument("--rows", default="extras,nofb,any,all", help="library runs: extras (none: no "
                        "feedback, function words kept), nofb (--no-feedback), any, all; default %(default)s")
    parser.add_argument("--grid-only", action="store_true", help="the anchor and the grid only")
    parser.add_argument("--no-anchor", action="store_true", help="skip the tantivy anchor")
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.collections.split(",") if n.strip()]
    temporary = tempfile.mkdtemp(prefix="newsindex-ranking-")
    root = args.index or Path(temporary)
    root.mkdir(parents=True, exist_ok=True)
    try:
        return _run(args, names, root, Path(temporary))
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _timed_row(label: str, run: Callable[[Collection, Path], Ranking], collections: dict[str, Collection],
               indexes: dict[str, Path], names: list[str], rows: list[Row]) -> Row:
    """Score ``run`` on every collection, say how long it took, and add it to ``rows``."""
    started = time.perf_counter()
    rankings = {n: run(collections[n], indexes[n]) for n in names}
    row = Row(label, {n: evaluate(rankings[n], collections[n]) for n in names}, rankings)
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows.append(row)
    return row


NO_FEEDBACK = "newsindex --match any --no-feedback"
DEFAULT_ANY = "newsindex search --match any [default ranking]"
DEFAULT_ALL = "newsindex --match all (the CLI default; relaxes)"
LOADERS: dict[str, Callable[[argparse.Namespace, Path], Collection]] = {
    "npl": lambda args, work: load_npl(args.data),
    "cran": lambda args, work: load_cran(args.ir, work),
    "cisi": lambda args, work: load_cisi(args.ir, work),
    "med": lambda args, work: load_med(args.ir, work),
    "lisa": lambda args, work: load_lisa(args.ir, work),
    "adi": lambda args, work: load_adi(args.ir, work),
    "reuters": lambda args, work: load_reuters_topics(args.ir.parent),
}


def _run(args: argparse.Namespace, names: list[str], root: Path, work: Path) -> int:
    collections = {name: LOADERS[name](args, work / "docs") for name in names}
    indexes: dict[str, Path] = {}
    for name, collection in collections.items():
        index_dir = root / f"newsindex-{name}"
        started = time.perf_counter()
        if args.index and _usable(index_dir):
            how = "reused"
        else:
            report = build_index([collection.docs_dir], index_dir, rebuild=True)
            how = f"built: {report.documents} documents, {len(report.failed)} failed"
        indexes[name] = index_dir
        print(f"{name}: {len(collection.judged)} judged queries; index {how} in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)

    notes: list[str] = [f"{name}: {note}" for name, c in collections.items() for note in c.notes]
    rows: list[Row] = []
    anchor: Row | None = None
    if not args.no_anchor:
        rankings = {name: tantivy_run(c, root, notes) for name, c in collections.items()}
        if all(r is not None for r in rankings.values()):
            anchor = Row("tantivy BM25 (en_stem, OR) [anchor]", {
                n: evaluate(rankings[n], collections[n]) for n in names})
            rows.append(anchor)

    if args.grid_only:
        grid(collections, indexes, names, anchor)
        return 0

    def add(label: str, run: Callable[[Collection, Path], Ranking]) -> Row:
        return _timed_row(label, run, collections, indexes, names, rows)

    wanted = set(args.rows.split(","))
    matched: dict[str, set[str]] = {n: set() for n in names}
    runs: dict[str, tuple[str, Callable[[Collection, Path], Ranking]]] = {
        "extras": ("newsindex, no extras (no feedback, all words)",
                   lambda c, i: library_run(c, i, feedback=False, function_words=True)),
        "nofb": (NO_FEEDBACK, lambda c, i: library_run(c, i, feedback=False)),
        "any": (DEFAULT_ANY, library_run),
        "all": (DEFAULT_ALL, lambda c, i: library_run(c, i, match="all", matched=matched[c.name])),
    }
    made = {key: add(label, run) for key, (label, run) in runs.items() if key in wanted}
    print_table("Ranking quality (binary relevance, top 1000)", rows, names, anchor)
    if "any" in made and "nofb" in made:
        print_feedback_cost(made["any"], made["nofb"], names)
    if "all" in made:
        print_all_versus_any(made["all"], collections, indexes, matched, names)
    for note in notes:
        print(note)
    if args.grid:
        grid(collections, indexes, names, anchor)
    if args.explore and "any" in made:
        explore(collections, indexes, root, names, made["any"], anchor)
    return 0


#: The settings of ``--grid`` (K1, B, title weight): the published defaults (Lucene/tantivy
#: 1.2 / 0.75, Anserini/PISA 0.9 / 0.4), their crossings, and title weights of half a body
#: word, one, and two (the schema's boost).
GRID = ((0.9, 0.4, 2.0), (0.9, 0.4, 1.0), (1.2, 0.75, 1.0), (1.2, 0.75, 2.0), (0.9, 0.4, 0.5), (1.2, 0.4, 1.0),
        (0.9, 0.75, 1.0), (1.2, 0.75, 0.5))


def grid(collections: dict[str, Collection], indexes: dict[str, Path], names: list[str], anchor: Row | None) -> None:
    """BM25 K1, B and title weight on every collection, first-pass ranking only (no feedback, the
    library's query words), and the setting each leave-one-collection-out choice would make:
    the best mean MAP ratio to the anchor over the other collections, scored on the one left out."""
    rows: list[Row] = []
    for k1, b, title in GRID:
        model = Bm25Variant(k1, b, robertson_idf, title)
        row = _timed_row(f"K1 {k1}, B {b}, title {title:g}", lambda c, i, m=model: whoosh_run(c, i, m),
                         collections, indexes, names, rows)
        print(f"  {row.label}: " + ", ".join(f"{n} {row.scores[n].map:.4f}" for n in names), file=sys.stderr)
    print_table("BM25 grid (Whoosh directly on the library's index; no feedback)", rows, names, anchor)
    if anchor is None:
        return

    def ratio(row: Row, n: str) -> float:
        return row.scores[n].map / anchor.scores[n].map

    print("\nLeave one collection out: the setting best on the others (mean MAP / anchor), on the one left out:")
    for held in names:
        best = max(rows, key=lambda r: statistics.fmean(ratio(r, n) for n in names if n != held))
        print(f"  without {held}: {best.label} -> {held} MAP {best.scores[held].map:.3f} "
              f"(anchor {anchor.scores[held].map:.3f}, {ratio(best, held) - 1:+.1%})")
    best = max(rows, key=lambda r: statistics.fmean(ratio(r, n) for n in names))
    print(f"  all collections: {best.label}")


def print_feedback_cost(ours: Row, plain: Row, names: Sequence[str]) -> None:
    """Feedback's MAP change per collection; the issue allows at most -1% anywhere."""
    cells = []
    for n in names:
        change = ours.scores[n].map / plain.scores[n].map - 1 if plain.scores[n].map else 0.0
        cells.append(f"{n} {change:+.1%}{' (over 1%)' if change < -0.01 else ''}")
    print("\nFeedback's MAP change against --no-feedback: " + ", ".join(cells))


def print_all_versus_any(all_row: Row, collections: dict[str, Collection], indexes: dict[str, Path],
                         matched: dict[str, set[str]], names: Sequence[str]) -> None:
    """--match all against --match any on the queries every word of which some document holds:
    there the two rank different sets (all: only documents with every word), so MAP differs, but
    P@10 and nDCG@10 say whether the stricter set is ranked as well."""
    print("\n--match all vs --match any, only the queries --match all matches as typed "
          "(MAP / P@10 / nDCG@10 all | any):")
    for n in names:
        subset = dataclasses.replace(collections[n], qrels={q: r for q, r in collections[n].qrels.items()
                                                           if q in matched[n]})
        if not subset.judged:
            print(f"  {n}: no query matched with every word")
            continue
        scores = [evaluate(all_row.rankings[n], subset), evaluate(library_run(subset, indexes[n]), subset)]
        print(f"  {n} ({len(subset.judged)} of {len(collections[n].judged)} queries): "
              + " | ".join(f"{s.map:.3f} {s.p10:.3f} {s.ndcg10:.3f}" for s in scores))


def explore(collections: dict[str, Collection], indexes: dict[str, Path], root: Path, names: list[str],
            ours: Row, anchor: Row | None) -> None:
    """The study: every setting on every collection, so a winner has to win everywhere."""
    rows: list[Row] = [r for r in (anchor, ours) if r is not None]

    def add(label: str, run: Callable[[Collection, Path], Ranking]) -> Row:
        return _timed_row(label, run, collections, indexes, names, rows)

    def weighting(label: str, model: scoring.WeightingModel, index_of: Callable[[str], Path] | None = None,
                  feedback: Feedback | Rm3 | None = None, **options: bool) -> Row:
        return add(label, lambda c, i: whoosh_run(c, index_of(c.name) if index_of else i, model, feedback, **options))

    same = weighting("library WEIGHTING, Whoosh directly [= library?]", LIBRARY_WEIGHTING)
    library_k1, library_b = LIBRARY_WEIGHTING.K1, LIBRARY_WEIGHTING.B
    check = weighting(f"Bm25Variant(BM25 idf, {library_k1}, {library_b}, title 2)",
                      Bm25Variant(library_k1, library_b, robertson_idf))
    for n in names:
        # The variant scorer rounds differently on ties: agree to 3 decimals.
        if abs(same.scores[n].map - ours.scores[n].map) > 1e-9 or abs(check.scores[n].map - same.scores[n].map) > 5e-4:
            print(f"WARNING {n}: exploration MAP {same.scores[n].map:.6f} / {check.scores[n].map:.6f} does not "
                  f"reproduce the library run's {ours.scores[n].map:.6f}; compare with care")
    # Query and model study (library index, library query unless said): see the rank branch's commits.
    weighting("query function words kept (as before e3380dd)", LIBRARY_WEIGHTING, function_words=True)
    weighting("BM25, exact lengths (not the length byte)", FieldModel(bm25_formula(), exact=True))
    weighting("BM25+ (delta 1)", FieldModel(bm25_formula(delta=1.0)))
    weighting("BM25L (delta 0.5)", FieldModel(bm25l_formula()))
    for mu in (300, 1000, 2000):
        weighting(f"LM Dirichlet, mu {mu}", FieldModel(dirichlet_formula(mu)))
    weighting("DFR DPH", FieldModel(dph_formula))
    weighting("DFR PL2, c 1", FieldModel(pl2_formula()))
    weighting("DFR InL2, c 1", FieldModel(inl2_formula()))
    weighting("true BM25F: title+body one field per word", LIBRARY_WEIGHTING, combine=True)
    weighting("true BM25F, function words kept", LIBRARY_WEIGHTING, combine=True, function_words=True)
    weighting("+ RM3 10 docs 10 terms, original 0.5", LIBRARY_WEIGHTING, feedback=Rm3())
    weighting("+ RM3 10/10, original 0.8", LIBRARY_WEIGHTING, feedback=Rm3(original=0.8))
    weighting("+ RM3 10/10, 0.5, re-scoring matches only", LIBRARY_WEIGHTING, feedback=Rm3(rerank=True))
    weighting("+ RM3 10/10, 0.8, re-scoring matches only", LIBRARY_WEIGHTING, feedback=Rm3(original=0.8, rerank=True))
    weighting("+ Bo1 3 docs 10 terms (Whoosh's Expander)", LIBRARY_WEIGHTING, feedback=Feedback())
    weighting("+ Bo1 3/10, beta 0.5", LIBRARY_WEIGHTING, feedback=Feedback(beta=0.5))
    for idf_name, idf in (("whoosh idf", whoosh_idf), ("BM25 idf", robertson_idf)):
        for k1 in (0.9, 1.2, 2.0):
            for b in (0.4, 0.75, 1.0):
                if idf is robertson_idf and (k1, b) == (library_k1, library_b):
                    continue
                weighting(f"{idf_name}, K1 {k1}, B {b}, title 2", Bm25Variant(k1, b, idf))
    for boost in (1.0, 1.5, 3.0):
        weighting(f"whoosh idf, K1 1.2, B 0.75, title {boost:g}", Bm25Variant(title_boost=boost))
        weighting(f"BM25 idf, K1 1.2, B 0.75, title {boost:g}", Bm25Variant(idf=robertson_idf, title_boost=boost))
    bm25 = robertson_idf
    variants: dict[str, tuple[object, str, list[tuple[str, scoring.WeightingModel]]]] = {
        "no stop words": (analyzer_variant(stop=False), "split", [
            ("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25))]),
        "no stemming": (analyzer_variant(stem=False), "split", [
            ("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25))]),
        "title merged into body": (news_analyzer(), "merged", [
            ("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25)),
            ("BM25 idf, K1 0.9, B 0.4", Bm25Variant(0.9, 0.4, bm25))]),
        "body = title + body, title field kept": (news_analyzer(), "copy", [
            ("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25))]),
        "lone line is body, not title": (news_analyzer(), "lone", [
            ("whoosh idf, title 2", Bm25Variant()), ("BM25 idf, title 2", Bm25Variant(idf=bm25)),
            ("BM25 idf, title 1.5", Bm25Variant(idf=bm25, title_boost=1.5)),
            ("BM25 idf, title 1", Bm25Variant(idf=bm25, title_boost=1.0)),
            ("BM25 idf, K1 0.9, B 0.4, title 1.5", Bm25Variant(0.9, 0.4, bm25, 1.5))]),
    }
    for label, (analyzer, layout, models) in variants.items():
        started = time.perf_counter()
        built = {n: build_variant(indexes[n], root / f"variant-{n}-{layout}-{len(rows)}", analyzer, layout)
                 for n in names}
        print(f"  built '{label}' indexes in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for model_label, model in models:
            weighting(f"{label}: {model_label}", model, built.__getitem__)
        if layout == "lone":
            best = Bm25Variant(idf=bm25, title_boost=1.5)
            weighting(f"{label}: BM25 idf, title 1.5, + Bo1 3 docs 10 terms", best, built.__getitem__, Feedback())
            weighting(f"{label}: BM25 idf, title 1.5, + Bo1 10 docs 10 terms", best, built.__getitem__,
                      Feedback(docs=10))
            weighting(f"{label}: BM25 idf, title 1.5, + Bo1 3/10, beta 0.5", best, built.__getitem__,
                      Feedback(beta=0.5))
    print_table("Exploration (Whoosh directly on the library's index and variants of it)", rows, names, anchor)


if __name__ == "__main__":
    raise SystemExit(main())
