"""Search latency on the 20,841-article Reuters index: whole process, in process, and at scale.

What a user waits for is the whole process: ``newsindex search ... --format jsonl`` started from
a shell, so interpreter start-up and imports count.  Anchors in the same run show the floor:
``python -c pass`` and ``python -c "import whoosh.index"``.  In process, ``search()`` (which
opens the index on every call) is timed beside the raw Whoosh search on an open searcher, and a
cProfile of the library calls says where the rest goes.  Queries are a fixed, seeded sample of
words from the corpus, the most common ones included (single words, pairs, triples and two-word
phrases), run as the CLI runs them: ``--since 1987-03-01 --until 1987-03-31 -n 10``, default ``--match all``.

    python3 bench/search_latency.py                          # build/reuse the index, all measures
    python3 bench/search_latency.py --index /tmp/reuters-ix --repeat 20
    python3 bench/search_latency.py --scale 200000           # + a 200,000-article index (long)

The Reuters index is built once into ``--index`` (default under /tmp) and reused while its
``CURRENT`` file exists; the scale corpus (replicas of the articles, one year later per copy,
distinct paths so distinct ids) is written under ``--scale-dir``, never into the repository.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from array import array
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bytecode import CACHE, cached_bytecode_env  # noqa: E402 (bench/bytecode.py, beside this script)
from whoosh.idsets import DocIdSet  # noqa: E402

from newsindex.engine.whoosh.filters import _UNDATED  # noqa: E402
from newsindex.engine.whoosh.parsing import parse_query  # noqa: E402
from newsindex.engine.whoosh.store import column_values, index_disk_size, open_index, shared_generation  # noqa: E402
from newsindex.engine.whoosh.weighting import WEIGHTING  # noqa: E402
from newsindex.index import IndexProblem, build_index  # noqa: E402
from newsindex.query import SearchOptions, search  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "reuters-txt"
SINCE, UNTIL = "1987-03-01", "1987-03-31"
SINCE_DT = datetime(1987, 3, 1, tzinfo=timezone.utc)
UNTIL_DT = datetime(1987, 4, 1, tzinfo=timezone.utc)  # --until is inclusive: the end of March 31
KEEP_ENV = False  # --keep-env: measure subprocesses in the environment as it is
TARGETS = {"process median": 250.0, "in-process median": 5.0, "in-process p95": 20.0}
_WORD_RE = re.compile(r"[A-Za-z]{4,}")
_COMMON = {
    "said",
    "that",
    "with",
    "from",
    "have",
    "which",
    "will",
    "would",
    "this",
    "were",
    "been",
    "also",
    "reuter",
    "their",
    "they",
    "year",
    "after",
    "other",
    "than",
    "more",
    "last",
    "about",
    "into",
    "there",
    "some",
    "could",
}


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was really observed."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def summary(values: Sequence[float]) -> str:
    return f"median {statistics.median(values):8.2f}  p95 {percentile(values, 0.95):8.2f}  (n={len(values)})"


# --- the corpus, the index, the queries -------------------------------------------------------


def ensure_index(data: Path, index_dir: Path, label: str, rebuild: bool = False) -> None:
    """Build ``index_dir`` from ``data`` unless a committed index is already there."""
    try:
        open_index(index_dir)
        usable = not rebuild
    except IndexProblem:  # absent, or written by another version of the library
        usable = False
    if usable:
        print(f"{label}: reusing {index_dir} ({index_disk_size(index_dir) / 1e6:.1f} MB)")
        return
    started = time.perf_counter()
    report = build_index([data], index_dir, rebuild=True)
    seconds = time.perf_counter() - started
    print(
        f"{label}: built {report.documents} articles in {seconds:.1f} s ({report.documents / seconds:.0f}/s), "
        f"{index_disk_size(index_dir) / 1e6:.1f} MB, {len(report.failed)} failed"
    )


def sample_queries(data: Path, count: int, seed: int, skip_common: bool = False) -> list[str]:
    """A fixed mix of corpus words: singles, pairs, triples, quoted two-word phrases.

    Every word is a candidate, the most common ones too: users type them ("said", "year").
    ``skip_common`` leaves out the 26 most common words (``_COMMON``), as earlier sessions
    measured; both samples are reported, in process, so the figures stay comparable."""
    rng = random.Random(seed)
    files = sorted(data.rglob("*.txt"))
    queries: list[str] = []
    kinds = ["one", "two", "three", "phrase"]
    while len(queries) < count:
        text = rng.choice(files).read_text(encoding="utf-8", errors="replace")
        words = [w.lower() for w in _WORD_RE.findall(text.split("\n", 2)[-1])]
        words = [w for w in words if not (skip_common and w in _COMMON)]
        if len(words) < 6:
            continue
        kind = kinds[len(queries) % len(kinds)]
        if kind == "phrase":
            start = rng.randrange(len(words) - 1)
            queries.append(f'"{words[start]} {words[start + 1]}"')
        else:
            size = {"one": 1, "two": 2, "three": 3}[kind]
            queries.append(" ".join(rng.sample(words, size)))
    return queries


def write_scaled_corpus(data: Path, out: Path, target: int) -> int:
    """Replicas of the articles, copy ``k`` dated ``k`` years later, until ``target`` files exist.

    Paths differ, so ids differ; the text is the same, so copies are near-duplicates of each
    other (which the near-duplicate folding meets in undated searches).
    """
    if out.exists() and sum(1 for _ in out.rglob("*.txt")) == target:
        return target
    shutil.rmtree(out, ignore_errors=True)
    files = sorted(data.rglob("*.txt"))
    written = 0
    copy = 0
    while written < target:
        folder = out / f"copy{copy:02d}"
        folder.mkdir(parents=True)
        for source in files:
            if written >= target:
                break
            text = source.read_text(encoding="utf-8", errors="replace")
            first, sep, rest = text.partition("\n")
            if copy:
                first = re.sub(r"\b(19\d\d)\b", lambda m, k=copy: str(int(m.group(1)) + k), first, count=1)
            (folder / source.name).write_text(first + sep + rest, encoding="utf-8")
            written += 1
        copy += 1
    return written


def write_scaled_records(data: Path, out: Path, target: int) -> int:
    """The replicas of ``write_scaled_corpus`` as one JSONL export of records (copy ``k`` dated
    ``k`` years later, its own id and URL): the records path indexes it several times faster
    than the same articles as files, which is what makes a million-article index practical.

    The records hold what newsindex extracted and cleaned from each file, so both corpora index
    the same text; a sidecar remembers how many records the export holds."""
    meta = out.with_suffix(".count")
    if out.exists() and meta.exists() and int(meta.read_text()) == target:
        return target
    import json

    from newsindex.ingest import iter_articles
    from newsindex.models import Article

    articles = []
    for item in iter_articles([data]):
        if isinstance(item, Article) and item.body:
            articles.append((item.title, "\n\n".join(item.body), item.published, item.authors, item.source))
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(out, "w", encoding="utf-8") as handle:
        for copy in range(target // max(1, len(articles)) + 1):
            for title, body, published, authors, source in articles:
                if written >= target:
                    break
                when = published.replace(year=published.year + copy) if published else None
                record = {
                    "id": f"c{copy}-{written}",
                    "url": f"https://archive.example/{copy}/{written}",
                    "title": title,
                    "body": body,
                    "published": when.isoformat() if when else None,
                    "authors": authors,
                    "source": source or "Reuters",
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    meta.write_text(str(written))
    return written


def merge_first(index_dir: Path, work: Path) -> None:
    """Index one new small file into ``index_dir`` with no merge budget, as a big run would merge."""
    from newsindex.index import limits

    before = [s.doc_count() for s in open_index(index_dir)._segments()]
    extra = work / "merge-trigger"
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "trigger.txt").write_text(
        "Published: 2030-01-02\n\nMerge trigger\n\nOne article added to start a merge.\n", encoding="utf-8"
    )
    budget = limits.MERGE_BUDGET_MIN
    limits.MERGE_BUDGET_MIN = 10**12
    try:
        started = time.perf_counter()
        build_index([extra], index_dir)
        seconds = time.perf_counter() - started
    finally:
        limits.MERGE_BUDGET_MIN = budget
    after = [s.doc_count() for s in open_index(index_dir)._segments()]
    print(f"merged: {len(before)} segments {before} -> {len(after)} {after} in {seconds:.1f} s (the whole run)")


# --- whole-process latency ----------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of measured subprocesses: bytecode cached (``bytecode.py``)."""
    return cached_bytecode_env(keep=KEEP_ENV)


def time_command(argv: Sequence[str], runs: int = 1) -> list[float]:
    """Wall-clock milliseconds of ``argv`` run to completion ``runs`` times (output discarded)."""
    times = []
    env = child_env()
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return times


def search_argv(prefix: Sequence[str], query: str, index_dir: Path) -> list[str]:
    return [
        *prefix,
        "search",
        query,
        "--index",
        str(index_dir),
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "-n",
        "10",
        "--format",
        "jsonl",
    ]


def process_latency(queries: list[str], index_dir: Path, runs: int) -> dict[str, list[float]]:
    """The CLI as subprocesses (python -m and the console script) and the start-up anchors."""
    python = sys.executable
    variants: dict[str, list[str]] = {"python -m newsindex search": [python, "-m", "newsindex"]}
    script = shutil.which("newsindex")
    if script:
        variants["newsindex search (console script)"] = [script]
    time_command(search_argv(variants["python -m newsindex search"], queries[0], index_dir), 2)  # warm caches
    measured: dict[str, list[float]] = {
        "anchor: python -c pass": time_command([python, "-c", "pass"], len(queries)),
        "anchor: python -c 'import whoosh.index'": time_command([python, "-c", "import whoosh.index"], len(queries)),
    }
    for label, prefix in variants.items():
        measured[label] = [t for q in queries for t in time_command(search_argv(prefix, q, index_dir), runs)]
    return measured


def heaviest_imports(query: str, index_dir: Path, top: int, runs: int = 5) -> None:
    """``python -X importtime`` of one search, median of ``runs``: the heaviest modules by cumulative time."""
    cumulative: dict[str, list[int]] = {}
    own: dict[str, list[int]] = {}
    depth: dict[str, int] = {}
    totals = []
    for _ in range(runs):
        argv = [sys.executable, "-X", "importtime", *search_argv(["-m", "newsindex"], query, index_dir)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=child_env())
        total = 0
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)", line)
            if match:
                name = match.group(4)
                own.setdefault(name, []).append(int(match.group(1)))
                cumulative.setdefault(name, []).append(int(match.group(2)))
                depth[name] = (len(match.group(3)) - 1) // 2
                if depth[name] == 0:
                    total += int(match.group(2))  # top-level imports add up to the whole
        totals.append(total)
    print(
        f"\nImports of one search (python -X importtime, median of {runs}): "
        f"{statistics.median(totals) / 1000:.0f} ms in all; heaviest by cumulative time (dots = nesting):"
    )
    ranked = sorted(cumulative, key=lambda n: -statistics.median(cumulative[n]))
    for name in ranked[:top]:
        print(
            f"  {statistics.median(cumulative[name]) / 1000:7.1f} ms cumulative "
            f"{statistics.median(own[name]) / 1000:6.1f} ms self  {'.' * depth[name]}{name}"
        )


#: Import statements timed as whole processes: the cost of what a search imports, and of a fix.
_CACHED_PROPERTY_SHIM = (
    "import sys, functools, types; shim = types.ModuleType('cached_property'); "
    "shim.cached_property = functools.cached_property; sys.modules['cached_property'] = shim; "
)
IMPORT_PROBES = {
    "python -c pass": "pass",
    "import whoosh.index": "import whoosh.index",
    "import whoosh.qparser, whoosh.index": "import whoosh.qparser, whoosh.index",
    "import urllib.request (whoosh.compat imports it)": "import urllib.request",
    "import cached_property (pulls in asyncio; whoosh.reading)": "import cached_property",
    "import click": "import click",
    "import newsindex.cli, .query, .render": "import newsindex.cli, newsindex.query, newsindex.render",
    "  same, cached_property -> functools shim first": _CACHED_PROPERTY_SHIM
    + "import newsindex.cli, newsindex.query, newsindex.render",
}


def import_probes(runs: int) -> dict[str, list[float]]:
    """Each probe as a subprocess, interleaved round by round so drift hits all alike."""
    for code in IMPORT_PROBES.values():
        time_command([sys.executable, "-c", code])  # fill the bytecode cache
    measured: dict[str, list[float]] = {label: [] for label in IMPORT_PROBES}
    for _ in range(runs):
        for label, code in IMPORT_PROBES.items():
            measured[label] += time_command([sys.executable, "-c", code])
    return measured


# --- in-process latency -------------------------------------------------------------------------


def cli_options() -> SearchOptions:
    """What ``--since 1987-03-01 --until 1987-03-31 -n 10`` gives the library."""
    return SearchOptions(limit=10, since=SINCE_DT, until=UNTIL_DT, filters_text=[f"since {SINCE}", f"until {UNTIL}"])


def time_calls(queries: list[str], repeat: int, call: Callable[[str], object]) -> list[float]:
    """Milliseconds per call, every query ``repeat`` times, after one warm-up pass."""
    for query in queries:
        call(query)
    times = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            call(query)
            times.append((time.perf_counter() - started) * 1000)
    return times


def in_process_latency(queries: list[str], index_dir: Path, repeat: int) -> dict[str, list[float]]:
    """``search()`` as the library runs it, and the pieces: opening, raw Whoosh search."""
    from whoosh import query as wq

    try:
        from newsindex.engine.whoosh.weighting import WEIGHTING as weighting
    except ImportError:  # older library versions
        from whoosh.scoring import BM25F

        weighting = BM25F(B=0.75, K1=1.2)
    options = cli_options()
    label = "search() (its searcher kept open between calls)"
    measured = {label: time_calls(queries, repeat, lambda q: search(q, index_dir, options))}
    # No date window: every segment searched (replicas put each year in segments of their own,
    # which flatters the window's segment skipping above).
    plain = SearchOptions(limit=10)
    measured["search() without a date window"] = time_calls(queries, repeat, lambda q: search(q, index_dir, plain))

    def open_only(_query: str) -> None:
        with open_index(index_dir).searcher(weighting=weighting):
            pass

    measured["open_index() + searcher() only"] = time_calls(queries, repeat, open_only)
    ix = open_index(index_dir)
    # The month's term: the published date is a column only since the thirteenth session (no
    # DateRange over its terms); March 1987 is the window, its 31st included.
    date_filter = wq.Term("month", "1987-03")
    with ix.searcher(weighting=weighting) as searcher:
        parsed = {q: parse_query(q, ix.schema, "all") for q in queries}

        def raw(query: str) -> None:
            results = searcher.search(parsed[query], limit=10, filter=date_filter)
            [hit.fields() for hit in results]

        measured["raw Whoosh: open searcher, parsed, filter=Term(month), top 10 stored"] = time_calls(
            queries, repeat, raw
        )
        measured["parse_query() only"] = time_calls(queries, repeat, lambda q: parse_query(q, ix.schema, "all"))
    return measured


class ColumnRange(DocIdSet):
    """A filter that tests each candidate against the bulk-read column instead of building a set.

    Whoosh's collector only asks ``docnum in allow`` of the documents that match the query, so
    this costs per match, not per document in the index.
    """

    def __init__(self, values: array, low: int, high: int) -> None:
        self.values, self.low, self.high = values, low, high

    def __bool__(self) -> bool:
        return True

    def __contains__(self, docnum: int) -> bool:
        return self.low <= self.values[docnum] < self.high

    def __iter__(self):
        return (docnum for docnum, value in enumerate(self.values) if self.low <= value < self.high)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def breakdown(queries: list[str], index_dir: Path, repeat: int) -> dict[str, list[float]]:
    """The Whoosh operations one filtered search is made of, timed alone, with cheaper alternatives.

    ``searcher.search(filter=QUERY)`` turns a filter query into a document set on every call,
    and ``search()`` runs several searches with the same filter (the hits, each hit's
    near-duplicate count, the undated count); how the date filter becomes a set of documents
    (or avoids becoming one) and how near-duplicates are counted are what the time depends on.
    """
    from whoosh import query as wq

    ix = open_index(index_dir)
    start, end = SINCE_DT.replace(tzinfo=None), UNTIL_DT.replace(tzinfo=None)
    month_terms = wq.Term("month", "1987-03")  # the same March (its 31st too), as the schema's month keyword
    measured: dict[str, list[float]] = {}
    with ix.searcher() as searcher:
        parsed = {q: parse_query(q, ix.schema, "all") for q in queries}
        # The published date is a column only (no terms since the thirteenth session).
        low, high = (ix.schema["published"].to_column_value(d) for d in (start, end))
        undated_value = _UNDATED  # the column's value for a document without a date
        values = column_values(searcher.reader(), "published")
        march = {d for d, v in enumerate(values) if low <= v < high and v != undated_value}
        measured["filter -> doc set: Term(month, 1987-03)"] = time_calls(
            queries, repeat, lambda q: set(searcher.docs_for_query(month_terms))
        )
        measured["search top 30, no filter"] = time_calls(
            queries, repeat, lambda q: searcher.search(parsed[q], limit=30).scored_length()
        )
        measured["search top 30, filter=precomputed doc set"] = time_calls(
            queries, repeat, lambda q: searcher.search(parsed[q], limit=30, filter=march).scored_length()
        )

        def scan_per_value(_q: str) -> set[int]:
            column = searcher.reader().column_reader("published", translate=False)
            return {d for d, v in enumerate(column) if low <= v < high and v != undated_value}

        def scan_bulk(_q: str) -> set[int]:
            values = column_values(searcher.reader(), "published")
            return {d for d, v in enumerate(values) if low <= v < high and v != undated_value}

        same = scan_bulk("") == march == scan_per_value("")
        measured["filter -> doc set: published column, value by value"] = time_calls(queries, repeat, scan_per_value)
        measured[f"filter -> doc set: published column read in bulk (same docs: {same})"] = time_calls(
            queries, repeat, scan_bulk
        )
        measured["search top 30, filter=ColumnRange over the bulk-read column (no set)"] = time_calls(
            queries,
            repeat,
            lambda q: searcher.search(
                parsed[q], limit=30, filter=ColumnRange(column_values(searcher.reader(), "published"), low, high)
            ).scored_length(),
        )
        lazy = ColumnRange(column_values(searcher.reader(), "published"), low, high)
        for q in queries:
            first = searcher.search(parsed[q], limit=30, filter=march)
            second = searcher.search(parsed[q], limit=30, filter=lazy)
            if [h.docnum for h in first] != [h.docnum for h in second] or len(first) != len(second):
                print(f"WARNING: ColumnRange filter differs from the doc set for {q!r}")
        undated = wq.Term("month", "undated")
        measured["undated count: search(filter=Term(month, undated))"] = time_calls(
            queries, repeat, lambda q: len(searcher.search(parsed[q], limit=1, filter=undated))
        )
        dated = {d for d, v in enumerate(values) if v != undated_value}
        measured["undated count: mask=precomputed dated doc set"] = time_calls(
            queries, repeat, lambda q: len(searcher.search(parsed[q], limit=1, mask=dated))
        )
        graph = shared_generation(index_dir, WEIGHTING).near_duplicates()
        top_hits = {q: [hit.docnum for hit in searcher.search(parsed[q], limit=10, filter=march)] for q in queries}
        measured["near-duplicate counts of 10 hits: graph lookups & filter"] = time_calls(
            queries, repeat, lambda q: sum(sum(1 for d in graph.of(hit) if d in march) for hit in top_hits[q])
        )
    return measured


def growth(queries: list[str], indexes: list[Path], rounds: int) -> None:
    """``search()`` on several indexes interleaved query by query (each query on every index in
    turn, ``rounds`` times, after a warm-up pass): the growth from the first index to each of
    the others as a ratio of medians measured side by side, in CPU time (steadier than wall
    time on a shared machine) and wall time, with the CLI's March 1987 window and without one.
    """
    windows = {"March 1987 window": cli_options(), "no window": SearchOptions(limit=10)}
    for options in windows.values():
        for index_dir in indexes:
            for query in queries:
                search(query, index_dir, options)
    load = os.getloadavg()[0]
    cpu = {(w, i): [] for w in windows for i in range(len(indexes))}
    wall = {(w, i): [] for w in windows for i in range(len(indexes))}
    for _ in range(rounds):
        for query in queries:
            for name, options in windows.items():
                for number, index_dir in enumerate(indexes):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    search(query, index_dir, options)
                    cpu[name, number].append((time.process_time() - cpu_started) * 1000)
                    wall[name, number].append((time.perf_counter() - started) * 1000)
    print(
        f"\nGrowth, interleaved ({rounds} rounds x {len(queries)} queries), load average {load:.1f} -> "
        f"{os.getloadavg()[0]:.1f}; search() ms, median (p95)"
    )
    for name in windows:
        for number, index_dir in enumerate(indexes):
            c, w = cpu[name, number], wall[name, number]
            ratio = ""
            if number:
                base_c, base_w = statistics.median(cpu[name, 0]), statistics.median(wall[name, 0])
                ratio = f"  x{statistics.median(c) / base_c:.2f} CPU, x{statistics.median(w) / base_w:.2f} wall"
            print(
                f"  {name:<18} {index_dir.name:<24} CPU {statistics.median(c):7.2f} ({percentile(c, 0.95):7.1f})  "
                f"wall {statistics.median(w):7.2f} ({percentile(w, 0.95):7.1f}){ratio}"
            )


def profile_search(queries: list[str], index_dir: Path, top: int) -> None:
    """cProfile of ``search()`` over the queries: where the in-process time goes."""
    options = cli_options()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        for query in queries:
            search(query, index_dir, options)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        lines = [line for line in stream.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        print(f"\ncProfile of search(), {3 * len(queries)} calls, by {order}:")
        print("\n".join(lines[start : start + top + 1]))


def report(title: str, measured: dict[str, list[float]], targets: dict[str, float] | None = None) -> None:
    print(f"\n{title} (ms)")
    for label, values in measured.items():
        print(f"  {label:<66} {summary(values)}")
    for label, limit in (targets or {}).items():
        print(f"  target {label} <= {limit:g} ms")


def measure(
    index_dir: Path, queries: list[str], args: argparse.Namespace, label: str, uncommon: list[str] | None = None
) -> None:
    """Every measure on one index; ``uncommon`` (the sample without the most common words)
    is also timed in process, beside the main sample."""
    print(f"\n=== {label}: {index_dir} ({index_disk_size(index_dir) / 1e6:.1f} MB on disk)")
    hits = [len(search(q, index_dir, cli_options()).hits) for q in queries]
    print(
        f"queries with hits in March 1987: {sum(1 for h in hits if h)}/{len(queries)}; e.g. "
        + ", ".join(repr(q) for q in queries[:6])
    )
    if not args.no_process:
        report(
            "Whole process, --since/--until, -n 10, --format jsonl",
            process_latency(queries, index_dir, args.runs),
            {"process median": TARGETS["process median"]},
        )
    inproc = in_process_latency(queries, index_dir, args.repeat)
    report("In process", inproc, {k: v for k, v in TARGETS.items() if k.startswith("in-process")})
    if uncommon:
        report(
            "In process, the sample without the 26 most common words (earlier sessions' queries)",
            in_process_latency(uncommon, index_dir, args.repeat),
        )
    report("In process, the pieces of a search (open searcher)", breakdown(queries, index_dir, args.repeat))
    if args.profile:
        profile_search(queries, index_dir, args.top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Reuters text articles; default %(default)s")
    parser.add_argument(
        "--index", type=Path, default=CACHE / "reuters-index", help="index to build once and reuse; default %(default)s"
    )
    parser.add_argument("--queries", type=int, default=30, help="how many sampled queries (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1987, help="sampling seed (default %(default)s)")
    parser.add_argument("--runs", type=int, default=1, help="subprocess runs per query (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=10, help="in-process repeats per query (default %(default)s)")
    parser.add_argument("--no-process", action="store_true", help="skip the subprocess measures")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip importtime and cProfile")
    parser.add_argument("--top", type=int, default=15, help="profile / import rows shown (default %(default)s)")
    parser.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="also build and measure an N-article index made of replicas (e.g. 200000; tens of minutes)",
    )
    parser.add_argument(
        "--scale-dir",
        type=Path,
        default=CACHE / "scale",
        help="where the replicas and their index go (default %(default)s)",
    )
    parser.add_argument(
        "--scale-records",
        action="store_true",
        help="write the replicas as one JSONL export and index that (the records path: several times "
        "faster to build than the same articles as files; the text indexed is the same)",
    )
    parser.add_argument(
        "--scale-index", type=Path, help="measure this already built scale index (no corpus written, no build)"
    )
    parser.add_argument(
        "--merge-first",
        action="store_true",
        help="before measuring the scale index, index one new small file into it with no merge budget: "
        "what a big run's commit merges (reports the merge time and the segment counts)",
    )
    parser.add_argument(
        "--growth",
        type=Path,
        nargs="+",
        metavar="INDEX",
        help="only compare search() on the Reuters index and these built indexes, interleaved query by "
        "query (CPU and wall medians, with and without a window, ratios to the Reuters index)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --growth (default %(default)s)")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the indexes even if usable ones exist (after a change to the library's analysis or schema)",
    )
    parser.add_argument(
        "--keep-env",
        action="store_true",
        help="run subprocesses in this environment as is (by "
        "default bytecode is cached under the cache directory, as a normal install would)",
    )
    args = parser.parse_args(argv)
    global KEEP_ENV
    KEEP_ENV = args.keep_env

    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs; queries: {args.queries}, seed {args.seed}")
    ensure_index(args.data, args.index, "reuters", args.rebuild)
    queries = sample_queries(args.data, args.queries, args.seed)
    if args.growth:
        growth(queries, [args.index, *args.growth], args.rounds)
        return 0
    uncommon = sample_queries(args.data, args.queries, args.seed, skip_common=True)
    if args.profile:
        heaviest_imports(queries[0], args.index, args.top)
        report("Import cost as whole processes", import_probes(args.queries))
    measure(args.index, queries, args, "Reuters-21578, 20,841 articles", uncommon)
    if args.scale or args.scale_index:
        scaled_index = args.scale_index
        if scaled_index is None:
            started = time.perf_counter()
            if args.scale_records:
                corpus = args.scale_dir / f"records-{args.scale}.jsonl"
                written = write_scaled_records(args.data, corpus, args.scale)
            else:
                corpus = args.scale_dir / f"corpus-{args.scale}"
                written = write_scaled_corpus(args.data, corpus, args.scale)
            print(f"\nscale corpus: {written} articles in {corpus} ({time.perf_counter() - started:.0f} s)")
            scaled_index = args.scale_dir / f"index-{'r' if args.scale_records else ''}{args.scale}"
            ensure_index(corpus, scaled_index, f"scale {args.scale}", args.rebuild)
        if args.merge_first:
            merge_first(scaled_index, args.scale_dir)
        with open_index(scaled_index).searcher() as searcher:
            articles = searcher.doc_count()
        segments = len(open_index(scaled_index)._segments())
        measure(scaled_index, queries, args, f"{articles} articles (replicas), {segments} segments", uncommon)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
