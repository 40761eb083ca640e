"""The studies of bench/ranking.py beside its main table: feedback's change per collection,
``--match all`` against ``--match any``, the ``--grid`` of BM25 settings chosen leaving one collection
out, and the older ``--explore`` study of models, feedback and analysis."""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ir_collections import Collection
from ranking_models import (
    Bm25Variant,
    FieldModel,
    bm25_formula,
    bm25l_formula,
    dirichlet_formula,
    dph_formula,
    inl2_formula,
    pl2_formula,
    robertson_idf,
    whoosh_idf,
)
from ranking_runs import (
    Ranking,
    Row,
    average_precision,
    evaluate,
    library_run,
    print_table,
    query_words,
    timed_row,
)
from ranking_whoosh import Feedback, Rm3, analyzer_variant, build_variant, whoosh_run
from whoosh import scoring

from newsindex.engine.whoosh.analysis import news_analyzer
from newsindex.engine.whoosh.store import open_index
from newsindex.engine.whoosh.weighting import WEIGHTING as LIBRARY_WEIGHTING


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


#: The settings of ``--grid`` (K1, B, title weight): K1 of Anserini/PISA (0.9) and Lucene/tantivy
#: (1.2), B from 0.3 to 0.75, and a title word worth one body word or half of one.
GRID = tuple((k1, b, title) for k1 in (0.9, 1.2) for b in (0.3, 0.4, 0.5, 0.6, 0.75) for title in (1.0, 0.5))


def grid(collections: dict[str, Collection], indexes: dict[str, Path], names: list[str], anchor: Row | None) -> None:
    """BM25 K1, B and title weight on every collection, first-pass ranking only (no feedback, the
    library's query words), and the setting each leave-one-collection-out choice would make:
    the best mean MAP ratio to the anchor over the other collections, and the best worst ratio
    (the issue asks for at least the anchor everywhere), scored on the one left out."""
    rows: list[Row] = []
    for k1, b, title in GRID:
        model = Bm25Variant(k1, b, robertson_idf, title)
        row = timed_row(
            f"K1 {k1}, B {b}, title {title:g}",
            lambda c, i, m=model: whoosh_run(c, i, m),
            collections,
            indexes,
            names,
            rows,
        )
        print(f"  {row.label}: " + ", ".join(f"{n} {row.scores[n].map:.4f}" for n in names), file=sys.stderr)
    print_table("BM25 grid (Whoosh directly on the library's index; no feedback)", rows, names, anchor)
    if anchor is None or len(names) < 2:
        return

    def ratio(row: Row, n: str) -> float:
        return row.scores[n].map / anchor.scores[n].map

    criteria = {"the best mean MAP / anchor": statistics.fmean, "the best worst MAP / anchor": min}
    for criterion, combine in criteria.items():
        print(f"\nLeave one collection out: the setting with {criterion} on the others, on the one left out:")
        for held in names:
            best = max(rows, key=lambda r, h=held, f=combine: f([ratio(r, n) for n in names if n != h]))
            print(
                f"  without {held}: {best.label} -> {held} MAP {best.scores[held].map:.3f} "
                f"(anchor {anchor.scores[held].map:.3f}, {ratio(best, held) - 1:+.1%})"
            )
        best = max(rows, key=lambda r, f=combine: f([ratio(r, n) for n in names]))
        print(f"  all collections: {best.label}")


def print_feedback_cost(ours: Row, plain: Row, names: Sequence[str]) -> None:
    """Feedback's MAP change per collection; the issue allows at most -1% anywhere."""
    cells = []
    for n in names:
        change = ours.scores[n].map / plain.scores[n].map - 1 if plain.scores[n].map else 0.0
        cells.append(f"{n} {change:+.1%}{' (over 1%)' if change < -0.01 else ''}")
    print("\nFeedback's MAP change against --no-feedback: " + ", ".join(cells))


def print_all_versus_any(
    all_row: Row,
    collections: dict[str, Collection],
    indexes: dict[str, Path],
    matched: dict[str, set[str]],
    names: Sequence[str],
    any_row: Row | None = None,
) -> None:
    """--match all against --match any on the queries --match all matches as typed.

    The two rank different sets: all only the articles holding every word, often a handful on
    the abstracts, so its P@10 is capped by how many there are.  Whether the stricter set is
    ranked as well is what any's ranking of the same articles (``within``) says; any in full is
    beside it for what the relaxed match finds besides."""
    print(
        "\n--match all vs --match any, only the queries --match all matches as typed "
        "(MAP / P@10 / nDCG@10: all | any, only the articles all matched | any in full):"
    )
    for n in names:
        subset = dataclasses.replace(
            collections[n], qrels={q: r for q, r in collections[n].qrels.items() if q in matched[n]}
        )
        if not subset.judged:
            print(f"  {n}: no query matched with every word")
            continue
        strict = all_row.rankings[n]
        full = any_row.rankings[n] if any_row is not None else library_run(subset, indexes[n])
        within = {q: [stem for stem in full.get(q, []) if stem in set(strict.get(q, []))] for q in subset.judged}
        sizes = sorted(len(strict.get(q, [])) for q in subset.judged)
        scores = [evaluate(strict, subset), evaluate(within, subset), evaluate(full, subset)]
        print(
            f"  {n} ({len(subset.judged)} of {len(collections[n].judged)} queries, median "
            f"{sizes[len(sizes) // 2]} articles matched): "
            + " | ".join(f"{s.map:.3f} {s.p10:.3f} {s.ndcg10:.3f}" for s in scores)
        )


def print_by_query_length(
    rows: dict[str, Row], anchor: Row, collections: dict[str, Collection], names: Sequence[str], worst: int = 0
) -> None:
    """MAP of one-word queries and of longer ones apart, per collection, beside the anchor's, and
    how many queries each row (by its ``--rows`` name) wins and loses against it; with ``worst``,
    the queries the last row loses most on.  On the news collection the topic names are one word ("Sugar") or a name of
    several ("Corn Oil", "Money Supply"): a ranking can gain on one kind and lose on the other."""
    print("\nMAP by query length (one word | more), against the anchor; wins/losses by over 0.0005 AP:")
    for n in names:
        collection = collections[n]
        groups = {"1 word": [], "more": []}
        for qid in collection.judged:
            groups["1 word" if len(query_words(collection.queries[qid]).split()) == 1 else "more"].append(qid)
        cells = []
        for label, qids in groups.items():
            if not qids:
                continue
            base = [average_precision(anchor.rankings[n].get(q, []), collection.qrels[q]) for q in qids]
            parts = [f"{label} ({len(qids)}): anchor {statistics.fmean(base):.4f}"]
            for key, row in rows.items():
                ours = [average_precision(row.rankings[n].get(q, []), collection.qrels[q]) for q in qids]
                wins = sum(o - b > 0.0005 for o, b in zip(ours, base, strict=True))
                losses = sum(b - o > 0.0005 for o, b in zip(ours, base, strict=True))
                parts.append(f"{key} {statistics.fmean(ours):.4f} (+{wins}/-{losses})")
            cells.append(", ".join(parts))
        print(f"  {n}: " + " | ".join(cells))
        if worst and rows:
            last = list(rows.values())[-1]
            losses = sorted(
                (
                    average_precision(last.rankings[n].get(q, []), collection.qrels[q])
                    - average_precision(anchor.rankings[n].get(q, []), collection.qrels[q]),
                    q,
                )
                for q in collection.judged
            )
            print(
                f"    {last.label}, most lost: "
                + "; ".join(
                    f"{q} {collection.queries[q][:40]!r} {change:+.3f}" for change, q in losses[:worst] if change < 0
                )
            )


def explore(
    collections: dict[str, Collection],
    indexes: dict[str, Path],
    root: Path,
    names: list[str],
    ours: Row,
    anchor: Row | None,
) -> None:
    """The study: every setting on every collection, so a winner has to win everywhere."""
    rows: list[Row] = [r for r in (anchor, ours) if r is not None]

    def add(label: str, run: Callable[[Collection, Path], Ranking]) -> Row:
        return timed_row(label, run, collections, indexes, names, rows)

    def weighting(
        label: str,
        model: scoring.WeightingModel,
        index_of: Callable[[str], Path] | None = None,
        feedback: Feedback | Rm3 | None = None,
        **options: bool,
    ) -> Row:
        return add(label, lambda c, i: whoosh_run(c, index_of(c.name) if index_of else i, model, feedback, **options))

    same = weighting("library WEIGHTING, Whoosh directly [= library?]", LIBRARY_WEIGHTING)
    library_k1, library_b = LIBRARY_WEIGHTING.K1, LIBRARY_WEIGHTING.B
    check = weighting(
        f"Bm25Variant(BM25 idf, {library_k1}, {library_b}, title 2)", Bm25Variant(library_k1, library_b, robertson_idf)
    )
    for n in names:
        # The variant scorer rounds differently on ties: agree to 3 decimals.
        if abs(same.scores[n].map - ours.scores[n].map) > 1e-9 or abs(check.scores[n].map - same.scores[n].map) > 5e-4:
            print(
                f"WARNING {n}: exploration MAP {same.scores[n].map:.6f} / {check.scores[n].map:.6f} does not "
                f"reproduce the library run's {ours.scores[n].map:.6f}; compare with care"
            )
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
        "no stop words": (
            analyzer_variant(stop=False),
            "split",
            [("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25))],
        ),
        "no stemming": (
            analyzer_variant(stem=False),
            "split",
            [("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25))],
        ),
        "title merged into body": (
            news_analyzer(),
            "merged",
            [
                ("whoosh idf", Bm25Variant()),
                ("BM25 idf", Bm25Variant(idf=bm25)),
                ("BM25 idf, K1 0.9, B 0.4", Bm25Variant(0.9, 0.4, bm25)),
            ],
        ),
        "body = title + body, title field kept": (
            news_analyzer(),
            "copy",
            [("whoosh idf", Bm25Variant()), ("BM25 idf", Bm25Variant(idf=bm25))],
        ),
        "lone line is body, not title": (
            news_analyzer(),
            "lone",
            [
                ("whoosh idf, title 2", Bm25Variant()),
                ("BM25 idf, title 2", Bm25Variant(idf=bm25)),
                ("BM25 idf, title 1.5", Bm25Variant(idf=bm25, title_boost=1.5)),
                ("BM25 idf, title 1", Bm25Variant(idf=bm25, title_boost=1.0)),
                ("BM25 idf, K1 0.9, B 0.4, title 1.5", Bm25Variant(0.9, 0.4, bm25, 1.5)),
            ],
        ),
    }
    for label, (analyzer, layout, models) in variants.items():
        started = time.perf_counter()
        built = {
            n: build_variant(indexes[n], root / f"variant-{n}-{layout}-{len(rows)}", analyzer, layout) for n in names
        }
        print(f"  built '{label}' indexes in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for model_label, model in models:
            weighting(f"{label}: {model_label}", model, built.__getitem__)
        if layout == "lone":
            best = Bm25Variant(idf=bm25, title_boost=1.5)
            weighting(f"{label}: BM25 idf, title 1.5, + Bo1 3 docs 10 terms", best, built.__getitem__, Feedback())
            weighting(
                f"{label}: BM25 idf, title 1.5, + Bo1 10 docs 10 terms", best, built.__getitem__, Feedback(docs=10)
            )
            weighting(
                f"{label}: BM25 idf, title 1.5, + Bo1 3/10, beta 0.5", best, built.__getitem__, Feedback(beta=0.5)
            )
    print_table("Exploration (Whoosh directly on the library's index and variants of it)", rows, names, anchor)
