"""The runs of bench/ranking.py and how they are scored: the library as a user calls it, tantivy's
BM25 as the anchor, MAP / P@10 / nDCG@10, and the table they are printed in."""

from __future__ import annotations

import dataclasses
import importlib
import math
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ir_collections import Collection

from newsindex.engine.whoosh.analysis import TOKEN_PATTERN
from newsindex.query import QueryError, SearchOptions, search

#: The parser module, whose function-word dropping the ablation turns off.
library_parser = importlib.import_module("newsindex.engine.whoosh.parsing")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_NPL = DEFAULT_DATA / "ir-prepared" / "npl"
DEFAULT_IR = DEFAULT_DATA / "ir"
DEPTH = 1000
#: Scores this close are a tie: the same sums added in another order differ in the last bits.
TIE_TOLERANCE = 1e-6
QUERY_WORD_RE = re.compile(TOKEN_PATTERN)

Ranking = dict[str, list[str]]  # query id -> document stems, best first


class ScoredRanking(dict):
    """A ``Ranking`` that also keeps each query's scores (``scores[qid][i]`` is the score of the
    i-th document), so that ``evaluate`` can score it whatever order its ties were put in."""

    def __init__(self) -> None:
        super().__init__()
        self.scores: dict[str, list[float]] = {}


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
    #: MAP expected over every order of tied scores (``tie_aware_ap``); None without scores.
    tie_map: float | None = None


def tie_aware_ap(ranked: Sequence[str], scores: Sequence[float], relevant: set[str]) -> float:
    """Average precision expected over every order of the documents that tie on score
    (McSherry and Najork, ECIR 2008).

    BM25 scores tie often: one matched word, the same count, lengths that round to the same
    length byte (a third of the Reuters rankings' documents share a score with another).  A
    system orders ties by whatever comes first in its index, and tantivy's index order changes
    from build to build (its writer's threads), so its Reuters MAP moved between .466 and .469
    over four builds of the same stories, the queries and scores unchanged.  Over a tied group
    at ranks s+1..s+n holding r relevant documents, c relevant above it, the relevant
    document at rank s+p (each p with probability r/n) has on average c + 1 + (p-1)(r-1)/(n-1)
    relevant at or above it: its expected precision, summed over p, is the group's share of AP.
    """
    total, above, rank, start = 0.0, 0, 0, 0
    while start < len(ranked):
        end = start
        while end < len(ranked) and math.isclose(scores[end], scores[start], rel_tol=TIE_TOLERANCE):
            end += 1
        n = end - start
        r = sum(1 for stem in ranked[start:end] if stem in relevant)
        for p in range(1, n + 1) if r else ():
            with_it = above + 1 + ((p - 1) * (r - 1) / (n - 1) if n > 1 else 0)
            total += r / n * with_it / (rank + p)
        above, rank, start = above + r, rank + n, end
    return total / len(relevant)


def average_precision(ranked: Sequence[str], relevant: set[str]) -> float:
    """Average precision of one ranking (binary relevance, the first ``DEPTH``)."""
    found, precision_sum = 0, 0.0
    for rank, stem in enumerate(ranked[:DEPTH], 1):
        if stem in relevant:
            found += 1
            precision_sum += found / rank
    return precision_sum / len(relevant)


def evaluate(ranking: Ranking, collection: Collection, top10_only: bool = False) -> Scores:
    """MAP, P@10 and nDCG@10 (binary gains) averaged over the judged queries; with the
    ranking's scores (a ``ScoredRanking``), MAP over every order of its ties as well."""
    aps, p10s, ndcgs, tie_aps = [], [], [], []
    scored = getattr(ranking, "scores", None)
    for qid in collection.judged:
        relevant = collection.qrels[qid]
        ranked = ranking.get(qid, [])[:DEPTH]
        if scored is not None:
            tie_aps.append(tie_aware_ap(ranked, scored.get(qid, [])[:DEPTH], relevant))
        dcg = sum(1 / math.log2(rank + 1) for rank, stem in enumerate(ranked[:10], 1) if stem in relevant)
        ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), 10) + 1))
        aps.append(average_precision(ranked, relevant))
        p10s.append(sum(1 for stem in ranked[:10] if stem in relevant) / 10)
        ndcgs.append(dcg / ideal)
    mean_ap = None if top10_only else statistics.fmean(aps)
    tie_map = statistics.fmean(tie_aps) if tie_aps and not top10_only else None
    return Scores(mean_ap, statistics.fmean(p10s), statistics.fmean(ndcgs), len(aps), tie_map)


# --- runs: the library, tantivy -----------------------------------------------------------------


def _options(**wanted: object) -> SearchOptions:
    """``SearchOptions`` with the settings this version of the library knows about."""
    known = {f.name for f in dataclasses.fields(SearchOptions)}
    return SearchOptions(**{k: v for k, v in wanted.items() if k in known})


def library_run(
    collection: Collection,
    index_dir: Path,
    match: str = "any",
    limit: int = DEPTH,
    fold: bool = False,
    feedback: bool = True,
    function_words: bool = False,
    matched: set[str] | None = None,
) -> Ranking:
    """Rank with ``newsindex.query.search`` exactly as a library user would.

    Near-duplicate folding (the CLI's default) is off unless ``fold``: an IR ranking is scored in
    full, and a copy folded behind its story counts as a miss.  ``feedback=False`` is
    ``--no-feedback``; ``function_words=True`` keeps the function words an any-query drops.
    ``matched``, when given, collects the queries that matched as typed (not relaxed).
    """
    options = _options(match=match, limit=limit, duplicates=not fold, suggest=False, feedback=feedback)
    ranking = ScoredRanking()
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
            ranking.scores[qid] = [hit.score for hit in result.hits]
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
    ranking = ScoredRanking()
    for qid in collection.judged:
        words = re.findall(r"\w+", collection.queries[qid].lower())
        if not words:
            ranking[qid] = []
            continue
        parsed = ix.parse_query(" ".join(words), ["body"])
        hits = searcher.search(parsed, DEPTH).hits
        ranking[qid] = [searcher.doc(address)["stem"][0] for _score, address in hits]
        ranking.scores[qid] = [score for score, _address in hits]
    return ranking


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
    tied = [row for row in rows if all(row.scores[n].tie_map is not None for n in names)]
    if tied:
        print("\nMAP to four places, as ranked / over every order of tied scores (tie_aware_ap; the same runs):")
        for row in tied:
            cells = "".join(f"| {row.scores[n].map:.4f} / {row.scores[n].tie_map:.4f}{'':6}" for n in names)
            rel = ""
            if anchor is not None and row is not anchor and anchor in tied:
                rel = f"{statistics.fmean(row.scores[n].tie_map / anchor.scores[n].tie_map for n in names) - 1:+.1%}"
            print(f"{row.label:<50}{cells}| {rel}")


def timed_row(
    label: str,
    run: Callable[[Collection, Path], Ranking],
    collections: dict[str, Collection],
    indexes: dict[str, Path],
    names: list[str],
    rows: list[Row],
) -> Row:
    """Score ``run`` on every collection, say how long it took, and add it to ``rows``."""
    started = time.perf_counter()
    rankings = {n: run(collections[n], indexes[n]) for n in names}
    row = Row(label, {n: evaluate(rankings[n], collections[n]) for n in names}, rankings)
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows.append(row)
    return row
