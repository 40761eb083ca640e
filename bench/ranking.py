"""Ranking quality of newsindex search on classic IR test collections, beside tantivy's BM25.

Collections (``ir_collections.py``; read in place, never copied into the repository): NPL and MED
(header-less text), Cranfield, CISI, LISA and ADI (``<title>\\n\\n<abstract>`` files, the layout of a
scraped article), and Reuters topics (the 20,841 ``reuters-txt`` stories, one query per
Reuters-21578 topic name; labels, not judgments, but news).  Every topic with stories is a query
but those with more stories than a 1,000-deep ranking holds, and the output says which.

Every query is reduced to its words (lower-cased, punctuation dropped: an upper-case ``OR``
or a trailing ``?`` would otherwise be query syntax) and run through
``newsindex.query.search(words, index, SearchOptions(match=..., limit=1000))``.  Scores are the
standard ones, binary relevance: MAP (top 1000), P@10 and nDCG@10.  The anchor, run in the same
pass on the same files, is tantivy's BM25 (K1 1.2, B 0.75, ``en_stem``, one field holding the
whole file, OR of the words).

The modules: ``ranking_runs.py`` (the runs, the metrics, the table), ``ranking_study.py``
(feedback's change, --match all against any, ``--grid``, ``--explore``), ``ranking_models.py``
and ``ranking_whoosh.py`` (the study's scoring models, feedback models and index variants).

    python3 bench/ranking.py                       # every collection: the library vs tantivy
    python3 bench/ranking.py --grid                # + BM25 K1/B/title grid, leave-one-collection-out
    python3 bench/ranking.py --collections npl --index /tmp/rank-ix   # keep/reuse the indexes
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
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
from ranking_runs import (  # noqa: E402
    DEFAULT_IR,
    DEFAULT_NPL,
    Ranking,
    Row,
    evaluate,
    library_run,
    print_table,
    tantivy_run,
    timed_row,
)
from ranking_study import (  # noqa: E402
    explore,
    grid,
    print_all_versus_any,
    print_by_query_length,
    print_feedback_cost,
)

from newsindex.engine.whoosh.store import open_index  # noqa: E402
from newsindex.index import IndexProblem, build_index  # noqa: E402


def _usable(index_dir: Path) -> bool:
    """Whether a kept index can be reused (it exists and this library version reads it)."""
    try:
        open_index(index_dir)
    except IndexProblem:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_NPL,
        help="prepared NPL directory (docs/, queries.tsv, qrels.tsv); default %(default)s",
    )
    parser.add_argument(
        "--ir", type=Path, default=DEFAULT_IR, help="raw collections with cran/ and cisi/; default %(default)s"
    )
    parser.add_argument(
        "--collections", default=",".join(LOADERS), help="comma-separated subset of %(default)s (default: all)"
    )
    parser.add_argument(
        "--index",
        type=Path,
        help="keep indexes under DIR and reuse them when present "
        "(delete DIR after changing the library's analysis); default: a fresh temporary directory",
    )
    parser.add_argument("--explore", action="store_true", help="also run the BM25/title/analysis study with Whoosh")
    parser.add_argument(
        "--grid",
        action="store_true",
        help="also run the BM25 K1/B and title-weight grid "
        "(no feedback) and pick settings leaving one collection out at a time",
    )
    parser.add_argument(
        "--rows",
        default="extras,nofb,any,all",
        help="library runs: extras (none: no "
        "feedback, function words kept), nofb (--no-feedback), any, all; default %(default)s",
    )
    parser.add_argument(
        "--worst",
        type=int,
        default=0,
        metavar="N",
        help="also list the N queries the last row loses most on against the anchor, per collection",
    )
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
            if report.failed:  # never silently: a document not indexed is a miss for us, not for tantivy
                collection.notes.append(
                    "not indexed (tantivy indexes them): "
                    + "; ".join(f"{Path(skip.path).stem} ({skip.reason})" for skip in report.failed)
                )
        indexes[name] = index_dir
        print(
            f"{name}: {len(collection.judged)} judged queries; index {how} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )

    notes: list[str] = [f"{name}: {note}" for name, c in collections.items() for note in c.notes]
    rows: list[Row] = []
    anchor: Row | None = None
    if not args.no_anchor:
        rankings = {name: tantivy_run(c, root, notes) for name, c in collections.items()}
        if all(r is not None for r in rankings.values()):
            anchor = Row(
                "tantivy BM25 (en_stem, OR) [anchor]",
                {n: evaluate(rankings[n], collections[n]) for n in names},
                rankings,
            )
            rows.append(anchor)

    if args.grid_only:
        grid(collections, indexes, names, anchor)
        return 0

    def add(label: str, run: Callable[[Collection, Path], Ranking]) -> Row:
        return timed_row(label, run, collections, indexes, names, rows)

    wanted = set(args.rows.split(","))
    matched: dict[str, set[str]] = {n: set() for n in names}
    runs: dict[str, tuple[str, Callable[[Collection, Path], Ranking]]] = {
        "extras": (
            "newsindex, no extras (no feedback, all words)",
            lambda c, i: library_run(c, i, feedback=False, function_words=True),
        ),
        "nofb": (NO_FEEDBACK, lambda c, i: library_run(c, i, feedback=False)),
        "any": (DEFAULT_ANY, library_run),
        "all": (DEFAULT_ALL, lambda c, i: library_run(c, i, match="all", matched=matched[c.name])),
    }
    made = {key: add(label, run) for key, (label, run) in runs.items() if key in wanted}
    print_table("Ranking quality (binary relevance, top 1000)", rows, names, anchor)
    if "any" in made and "nofb" in made:
        print_feedback_cost(made["any"], made["nofb"], names)
    if "all" in made:
        print_all_versus_any(made["all"], collections, indexes, matched, names, made.get("any"))
    if anchor is not None and made:
        print_by_query_length(made, anchor, collections, names, args.worst)
    for note in notes:
        print(note)
    if args.grid:
        grid(collections, indexes, names, anchor)
    if args.explore and "any" in made:
        explore(collections, indexes, root, names, made["any"], anchor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
