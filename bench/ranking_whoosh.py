"""Ranking with Whoosh directly, for the study: the library's parser and index under another
scoring model, two textbook feedback models (Bo1, RM3) run as new queries, and indexes rebuilt
from the library's stored text with another analyzer or title/body layout."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ir_collections import Collection
from ranking_models import INDEXED_TITLE_BOOST, fields_combined
from ranking_runs import DEPTH, Ranking, library_parser, query_words
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, TEXT, Schema

from newsindex.engine.whoosh.analysis import TOKEN_PATTERN, FoldFilter, HyphenPartsFilter, _stem_word, index_terms
from newsindex.engine.whoosh.parsing import parse_query
from newsindex.engine.whoosh.store import open_index
from newsindex.query import QueryError


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
        expanded = wq.Or(
            [wq.Or([wq.Term("title", t, boost=w), wq.Term("body", t, boost=w)]) for t, w in weights.items()]
        )
        return wq.AndMaybe(wq.ConstantScoreQuery(parsed, 0.0), expanded) if self.rerank else expanded


def whoosh_run(
    collection: Collection,
    index_dir: Path,
    weighting: scoring.WeightingModel,
    feedback: Feedback | Rm3 | None = None,
    function_words: bool = False,
    combine: bool = False,
) -> Ranking:
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
