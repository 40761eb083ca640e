"""Indexing speed of newsindex beside a plain Whoosh writer, on the same files in the same run.

The baseline is what anyone would write first: one ``ix.writer()``, Whoosh's default
``StemmingAnalyzer`` on title and body, the body stored, a DATETIME field, fed by a simple
reader of the same files (header lines, a blank line, the title, a blank line, the body).
newsindex does more per article -- extraction, boilerplate cleaning, near-duplicate sketches,
a manifest for incremental runs, crash-safe generations -- and uses ``--workers`` processes.

Each contender runs in a fresh subprocess, from an empty index, and is timed inside it, with
its modules' bytecode cached as an installation has it (``bytecode.py``; a first, unmeasured
run of each on 200 files compiles what it imports).  The parent samples the resident memory
of the subprocess and all its children (``/proc``) and reports the peak of their sum.  Then
newsindex runs again on the unchanged files (an incremental run that finds nothing to do),
reported as a share of the full run's time.

``--halves`` adds a reference for the parallel work: the files split in two (alternate files),
each half built by its own one-worker newsindex process, both at once -- what two cores give
with nothing shared, no main process and no messages between processes.  Its wall time
against the baseline's is the most ``--workers 2`` could reach with today's work per article.

    python3 bench/index_speed.py                       # ../shared/data/reuters-txt, 2 workers
    python3 bench/index_speed.py --limit 2000          # a quick run on the first 2000 files
    python3 bench/index_speed.py --data DIR --workers 4 --repeat 3
    python3 bench/index_speed.py --repeat 3 --halves   # and the two-halves reference
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bytecode import cached_bytecode_env  # bench/bytecode.py, beside this script
from peak_memory import PeakMemory

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "reuters-txt"
_DATE_FORMATS = ("%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%a, %d %b %Y %H:%M:%S")


def list_files(data: Path, limit: int | None) -> list[str]:
    """The article files newsindex would read, in its order (hidden files skipped)."""
    sys.path.insert(0, str(REPO))
    from newsindex.read import discover

    files = [str(found.path) for found in discover([data])]
    return files[:limit] if limit else files


# --- the contenders, each run in its own subprocess --------------------------------------


def _simple_read(path: str) -> dict:
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    header, _, rest = text.partition("\n\n")
    title, _, body = rest.strip().partition("\n\n")
    fields = {"path": path, "title": title.strip(), "body": body.strip()}
    match = re.search(r"(?im)^published:\s*(.+)$", header)
    if match:
        value = match.group(1).strip()
        for fmt in _DATE_FORMATS:
            try:
                fields["published"] = datetime.strptime(value[:20].strip(), fmt)
                break
            except ValueError:
                continue
    return fields


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (newsindex's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_baseline(files: list[str], index_dir: str) -> dict:
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import DATETIME, ID, TEXT, Schema

    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    schema = Schema(
        path=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        published=DATETIME(stored=True),
    )
    ix = index.create_in(index_dir, schema)
    writer = ix.writer()
    for path in files:
        writer.add_document(**_simple_read(path))
    writer.commit()
    seconds = time.perf_counter() - started
    return {"documents": ix.doc_count(), "seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu_started}


def run_newsindex(files: list[str], index_dir: str, workers: int, whole: str | None) -> dict:
    sys.path.insert(0, str(REPO))
    from newsindex.cli import limit_blas_threads

    limit_blas_threads()  # as the newsindex command runs it
    from newsindex.index import build_index

    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    report = build_index([whole] if whole else files, index_dir, workers=workers)
    seconds = time.perf_counter() - started
    return {
        "cpu_seconds": _cpu_seconds() - cpu_started,
        "documents": report.documents,
        "added": report.added,
        "unchanged": report.unchanged,
        "failed": len(report.failed),
        "seconds": seconds,
    }


def _child(args: argparse.Namespace) -> None:
    files = json.loads(Path(args.files).read_text(encoding="utf-8"))
    if args.child == "baseline":
        result = run_baseline(files, args.index)
    else:
        result = run_newsindex(files, args.index, args.workers, args.whole)
    print(json.dumps(result))


# --- measuring ----------------------------------------------------------------------------


def measure(command: list[str], env: dict[str, str]) -> tuple[dict, int]:
    """Run a contender; returns its result and the peak RSS of its process tree."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    return _child_result(process, output, command[3]), memory.peak


def _child_result(process: subprocess.Popen, output: str, name: str) -> dict:
    """The figures a finished contender printed (its last line, JSON); stops the bench if it failed."""
    if process.returncode != 0:
        raise SystemExit(f"{name} run failed (exit {process.returncode})")
    return json.loads(output.strip().splitlines()[-1])


def measure_halves(base: list[str], files: list[str], work: Path, env: dict[str, str]) -> dict:
    """Two one-worker newsindex processes at once, each building alternate files into an
    index of its own; the slower one's time (each times its own build) and their CPU."""
    processes = []
    for half in (0, 1):
        listing = work / f"half-{half}.json"
        listing.write_text(json.dumps(files[half::2]), encoding="utf-8")
        target = work / f"half-{half}"
        command = [*base, "newsindex", "--files", str(listing), "--index", str(target), "--workers", "1"]
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env))
    results = [_child_result(process, process.communicate()[0], "a half's") for process in processes]
    for half in (0, 1):
        shutil.rmtree(work / f"half-{half}", ignore_errors=True)
    return {
        "seconds": max(result["seconds"] for result in results),
        "cpu_seconds": sum(result["cpu_seconds"] for result in results),
        "documents": sum(result["documents"] for result in results),
    }


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(value: float) -> str:
    return f"{value / 1e6:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of articles (read in place)")
    parser.add_argument("--limit", type=int, help="only the first N files")
    parser.add_argument("--workers", type=int, default=2, help="newsindex worker processes (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each contender; the median is reported")
    parser.add_argument("--no-baseline", action="store_true", help="time newsindex only")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--halves", action="store_true", help="also time two one-worker builds of alternate halves side by side"
    )
    parser.add_argument(
        "--keep-env", action="store_true", help="keep PYTHONDONTWRITEBYTECODE/PYTHONPYCACHEPREFIX as they are"
    )
    parser.add_argument("--child", choices=["baseline", "newsindex"], help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--whole", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    if not args.data.is_dir():
        raise SystemExit(f"no data at {args.data}")
    files = list_files(args.data, args.limit)
    input_bytes = sum(os.path.getsize(path) for path in files)
    work = Path(tempfile.mkdtemp(prefix="newsindex-bench-"))
    try:
        figures = _bench(args, files, input_bytes, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(figures))
        return
    _print(figures)


def _bench(args: argparse.Namespace, files: list[str], input_bytes: int, work: Path) -> dict:
    listing = work / "files.json"
    listing.write_text(json.dumps(files), encoding="utf-8")
    base = [sys.executable, str(Path(__file__).resolve()), "--child"]
    whole = [] if args.limit else ["--whole", str(args.data)]
    runs: dict[str, list] = {"baseline": [], "newsindex": [], "rerun": [], "halves": []}
    env = cached_bytecode_env(keep=args.keep_env)
    # One unmeasured run of each on a few files first: every module either imports (lazily
    # too) is compiled then, as an installation or any earlier run would have it.
    warm_up = work / "warm-up.json"
    warm_up.write_text(json.dumps(files[:200]), encoding="utf-8")
    for name in ("newsindex",) if args.no_baseline else ("baseline", "newsindex"):
        target = work / f"warm-up-{name}"
        target.mkdir()
        measure([*base, name, "--files", str(warm_up), "--index", str(target)], env)
        shutil.rmtree(target)
    for attempt in range(args.repeat):
        if not args.no_baseline:
            target = work / f"baseline-{attempt}"
            target.mkdir()
            result, peak = measure([*base, "baseline", "--files", str(listing), "--index", str(target)], env)
            runs["baseline"].append((result, peak, _size(target)))
            shutil.rmtree(target)
        target = work / f"newsindex-{attempt}"
        command = [*base, "newsindex", "--files", str(listing), "--index", str(target), "--workers", str(args.workers)]
        result, peak = measure([*command, *whole], env)
        size = _size(target / (target / "CURRENT").read_text().strip())
        runs["newsindex"].append((result, peak, size))
        again, again_peak = measure([*command, *whole], env)
        runs["rerun"].append((again, again_peak, size))
        shutil.rmtree(target)
        if args.halves:
            runs["halves"].append((measure_halves(base, files, work, env),))

    def median(name: str, key: str) -> float:
        return statistics.median(run[0][key] for run in runs[name])

    figures: dict = {"files": len(files), "input_bytes": input_bytes, "workers": args.workers, "cores": os.cpu_count()}
    for name in ("baseline", "newsindex"):
        if not runs[name]:
            continue
        seconds = median(name, "seconds")
        documents = runs[name][0][0]["documents"]
        figures[name] = {
            "documents": documents,
            "seconds": round(seconds, 2),
            "articles_per_second": round(documents / seconds, 1),
            "index_bytes": runs[name][0][2],
            "index_to_input": round(runs[name][0][2] / input_bytes, 2),
            "peak_rss_bytes": max(run[1] for run in runs[name]),
        }
    rerun = median("rerun", "seconds")
    figures["rerun"] = {
        "seconds": round(rerun, 3),
        "share_of_full": round(rerun / figures["newsindex"]["seconds"], 4),
        "unchanged": runs["rerun"][0][0]["unchanged"],
        "peak_rss_bytes": max(run[1] for run in runs["rerun"]),
    }
    if runs["halves"]:
        figures["halves"] = {
            "seconds": round(median("halves", "seconds"), 2),
            "cpu_seconds": round(median("halves", "cpu_seconds"), 2),
            "documents": runs["halves"][0][0]["documents"],
        }
        if "baseline" in figures:
            figures["halves"]["speedup_runs"] = [
                round(base[0]["seconds"] / halves[0]["seconds"], 2)
                for base, halves in zip(runs["baseline"], runs["halves"], strict=True)
            ]
    for name in ("baseline", "newsindex", "rerun", "halves"):
        if name in figures:
            figures[name]["runs_seconds"] = [round(run[0]["seconds"], 2) for run in runs[name]]
            figures[name]["cpu_seconds"] = round(median(name, "cpu_seconds"), 2)
    if "baseline" in figures:
        figures["speedup"] = round(
            figures["newsindex"]["articles_per_second"] / figures["baseline"]["articles_per_second"], 2
        )
        # Each repeat's contenders ran back to back: their ratio is the least noisy wall-clock figure.
        figures["speedup_runs"] = [
            round(base[0]["seconds"] / ours[0]["seconds"], 2)
            for base, ours in zip(runs["baseline"], runs["newsindex"], strict=True)
        ]
        # On a machine shared with other work, wall time says more about the neighbours than
        # about the code: the baseline's CPU time against newsindex's spread over its cores
        # (``--workers``, at most the machine's) is what an idle machine would show at best.
        cores = min(args.workers, os.cpu_count() or 1)
        figures["cpu_bound_speedup"] = round(
            figures["baseline"]["cpu_seconds"] / (figures["newsindex"]["cpu_seconds"] / cores), 2
        )
        # Issue 18's "per CPU-second": articles per CPU-second of each, all processes counted
        # (the baseline's CPU time over newsindex's, not spread over the cores).
        figures["per_cpu_second"] = round(figures["baseline"]["cpu_seconds"] / figures["newsindex"]["cpu_seconds"], 2)
    return figures


def _print(figures: dict) -> None:
    print(
        f"{figures['files']:,} files, {_mb(figures['input_bytes'])}; {figures['workers']} workers, "
        f"{figures['cores']} cores"
    )
    for name in ("baseline", "newsindex"):
        if name not in figures:
            continue
        f = figures[name]
        print(
            f"{name:10} {f['documents']:>7,} articles in {f['seconds']:7.2f} s = {f['articles_per_second']:8,.0f}/s; "
            f"index {_mb(f['index_bytes'])} ({f['index_to_input']:.2f}x input); peak RSS {_mb(f['peak_rss_bytes'])}"
        )
    for name in ("baseline", "newsindex"):
        if name in figures:
            print(f"{name:10} CPU {figures[name]['cpu_seconds']:.2f} s; runs {figures[name]['runs_seconds']} s")
    if "speedup" in figures:
        runs = ", ".join(f"{ratio:.2f}x" for ratio in figures["speedup_runs"])
        print(
            f"speed-up: {figures['speedup']:.2f}x the plain Whoosh writer (each repeat: {runs}); "
            f"from CPU time over {min(figures['workers'], figures['cores'] or 1)} cores: "
            f"{figures['cpu_bound_speedup']:.2f}x; per CPU-second (all processes): {figures['per_cpu_second']:.2f}x"
        )
    if "halves" in figures:
        h = figures["halves"]
        ratios = ", ".join(f"{ratio:.2f}x" for ratio in h.get("speedup_runs", []))
        against = f" (each repeat {ratios} the baseline)" if ratios else ""
        print(
            f"two halves side by side (one worker each, nothing shared): {h['seconds']:.2f} s{against}; "
            f"CPU {h['cpu_seconds']:.2f} s; runs {h['runs_seconds']} s"
        )
    r = figures["rerun"]
    print(
        f"re-run on unchanged files: {r['seconds']:.3f} s = {100 * r['share_of_full']:.1f}% of the full run "
        f"({r['unchanged']:,} unchanged); peak RSS {_mb(r['peak_rss_bytes'])}"
    )


if __name__ == "__main__":
    main()
