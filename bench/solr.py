"""The Solr engine against the embedded (Whoosh) engine on Reuters: indexing time, index size,
query latency, and how far their rankings agree.

Both engines index the same articles side by side in one run (Whoosh with its worker
processes, Solr from one client over HTTP into a 2-shard collection on a local 2-node
SolrCloud cluster that this script starts with scripts/solrcloud, unless --solr names
one).  Then the same seeded sample of queries (bench/search_latency.py's: single words,
pairs, triples, two-word phrases) runs against both, interleaved, in process: a search
on the embedded engine opens its index from disk; a search on Solr is HTTP round trips
(the query, and the folded total) to the cluster on this machine.

    python3 bench/solr.py                               # start a cluster, index, measure, stop
    python3 bench/solr.py --queries 100 --repeat 5
    python3 bench/solr.py --solr http://127.0.0.1:8983/solr   # a cluster you run

Agreement: with --duplicates (no folding) the share of queries whose first hit is the
same article, and the mean overlap of the two top-10 lists.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from search_latency import percentile, sample_queries  # noqa: E402

from newsindex.engine.solr import SolrEngine  # noqa: E402
from newsindex.engine.whoosh.store import index_disk_size  # noqa: E402
from newsindex.index import build_index  # noqa: E402
from newsindex.query import SearchOptions, search  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "reuters-txt"
SCRIPT = REPO / "scripts" / "solrcloud"


def timed(call) -> tuple[object, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def latency(queries, repeat, whoosh_dir: Path, engine: SolrEngine, options: SearchOptions) -> dict[str, list[float]]:
    """Milliseconds per search, the two engines interleaved query by query."""
    measured: dict[str, list[float]] = {"whoosh": [], "solr": []}
    for query in queries:  # warm both: caches, the cluster's JIT
        search(query, whoosh_dir, options)
        engine.search(query, options)
    for _ in range(repeat):
        for query in queries:
            measured["whoosh"].append(timed(lambda q=query: search(q, whoosh_dir, options))[1] * 1000)
            measured["solr"].append(timed(lambda q=query: engine.search(q, options))[1] * 1000)
    return measured


def agreement(queries, whoosh_dir: Path, engine: SolrEngine) -> dict[str, float]:
    options = SearchOptions(limit=10, duplicates=True, suggest=False)
    same_first, overlaps, both = 0, [], 0
    for query in queries:
        embedded = [hit.id for hit in search(query, whoosh_dir, options).hits]
        solr = [hit.id for hit in engine.search(query, options).hits]
        if not embedded and not solr:
            continue
        both += 1
        same_first += bool(embedded and solr and embedded[0] == solr[0])
        overlaps.append(len(set(embedded) & set(solr)) / max(len(embedded), len(solr)))
    return {"queries with hits": both, "same first hit": same_first / both, "top-10 overlap": statistics.mean(overlaps)}


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):7.2f} ms  p95 {percentile(values, 0.95):7.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--solr", help="a running cluster's node URL (default: start a local 2-node cluster)")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsindex-bench-solr")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    cluster = args.workdir / "cluster"
    url = args.solr
    if not url:
        started = subprocess.run(
            [sys.executable, str(SCRIPT), "start", "2", str(cluster)], capture_output=True, text=True
        )
        if started.returncode:
            print(started.stderr, file=sys.stderr)
            return 1
        url = started.stdout.split()[0]
    try:
        return measure(args, url.rstrip("/") + "/reuters" if url.rstrip("/").endswith("/solr") else url)
    finally:
        if not args.solr:
            subprocess.run([sys.executable, str(SCRIPT), "stop", str(cluster)])


def measure(args, url: str) -> int:
    whoosh_dir = args.workdir / "whoosh"
    print(f"data: {args.data}; cluster: {url}; {os.cpu_count()} cores")
    report, seconds = timed(lambda: build_index([args.data], whoosh_dir, rebuild=True))
    print(f"whoosh: indexed {report.documents} articles in {seconds:.1f} s, {index_disk_size(whoosh_dir) / 1e6:.1f} MB")
    engine = SolrEngine(url, shards=2, replicas=1)
    solr_report, solr_seconds = timed(lambda: engine.index([args.data], rebuild=True))
    size = engine.stats()["size_bytes"]
    print(
        f"solr:   indexed {solr_report.documents} articles in {solr_seconds:.1f} s "
        f"({solr_seconds / seconds:.2f}x whoosh), {size / 1e6:.1f} MB (2 shards, 1 copy each)"
    )
    queries = sample_queries(args.data, args.queries, args.seed)
    results = {"index seconds": {"whoosh": seconds, "solr": solr_seconds}, "documents": report.documents}
    for label, options in (
        ("default", SearchOptions(limit=10)),
        ("March 1987", SearchOptions(limit=10, since=_utc(1987, 3, 1), until=_utc(1987, 4, 1))),
    ):
        measured = latency(queries, args.repeat, whoosh_dir, engine, options)
        ratio = statistics.median(measured["solr"]) / statistics.median(measured["whoosh"])
        print(f"latency, {label} ({len(queries)} queries x {args.repeat}):")
        for name, values in measured.items():
            print(f"  {name:7} {summary(values)}")
        print(f"  solr / whoosh median: {ratio:.2f}")
        results[f"latency {label}"] = {
            name: {"median": statistics.median(v), "p95": percentile(v, 0.95)} for name, v in measured.items()
        }
    agreed = agreement(queries, whoosh_dir, engine)
    print(
        "agreement (--duplicates): "
        + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in agreed.items())
    )
    results["agreement"] = agreed
    print(json.dumps(results))
    return 0


def _utc(year: int, month: int, day: int):
    from datetime import datetime, timezone

    return datetime(year, month, day, tzinfo=timezone.utc)


if __name__ == "__main__":
    sys.exit(main())
