"""One-file runs against a full build: the cost of keeping a large archive current.

Builds an N-article index (default 200,000: the Reuters articles replicated with shifted years,
as ``bench/search_latency.py --scale`` makes them; written under ``--scale-dir``, never into the
repository), timing the full build, then times runs that each change one file -- an article
added, one edited, one removed -- with ``build_index`` as ``newsindex index`` calls it, and
reports each against the full build of the same run (the issue's target: at most 2%); then the
same runs as whole ``newsindex index -q`` processes, from this checkout ``pip install``-ed (not
editable) into a venv of its own, as ``bench/startup.py`` makes it.  A cProfile of one more
one-file run shows where its time goes.  ``--watch N`` then starts ``newsindex watch`` on the archive and times N
new articles from the moment each file is written to the moment ``search()`` finds it (the
target: within 2 s).

    python3 bench/incremental.py                     # 200,000 articles (long: the full build)
    python3 bench/incremental.py --articles 20000 --runs 3
    python3 bench/incremental.py --reuse --runs 0 --profile 0 --watch 10   # watch latency only
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from search_latency import CACHE, DEFAULT_DATA, write_scaled_corpus  # noqa: E402
from startup import WORK, installed_venv  # noqa: E402

from newsindex.engine.whoosh.neargraph import load_state  # noqa: E402
from newsindex.index import build_index, current_generation  # noqa: E402
from newsindex.query import search  # noqa: E402

NEW_ARTICLE = (
    "Published: 2031-05-0{n}\n\nHarbour pilots strike over night shifts {n}\n\n"
    "Harbour pilots walked out at dawn on day {n} of the dispute over night shifts, leaving a dozen tankers "
    "anchored outside the breakwater. The port authority said talks would resume on Monday and that "
    "ferries were running to the usual timetable while the stoppage lasted.\n"
)


def one_file_runs(corpus: Path, index_dir: Path, runs: int, program: Path | None = None) -> dict[str, list[float]]:
    """Seconds of runs that add, edit and remove one file each, ``runs`` times: ``build_index``
    in this process, or a whole ``program index -q`` process (``newsindex`` as installed:
    start-up and imports included, as a user runs it)."""
    live = corpus / "live"
    live.mkdir(exist_ok=True)
    suffix = " (whole process)" if program else ""
    measured: dict[str, list[float]] = {f"{kind} one file{suffix}": [] for kind in ("add", "edit", "remove")}
    command = [str(program), "index", str(corpus), "--index", str(index_dir), "-q"]
    for n in range(runs):
        path = live / f"bench-{n}.txt"
        for label, change in zip(
            measured,
            (
                lambda p=path, n=n: p.write_text(NEW_ARTICLE.format(n=n), encoding="utf-8"),
                lambda p=path: p.write_text(p.read_text() + "\nA correction was appended.\n"),
                lambda p=path: p.unlink(),
            ),
            strict=True,
        ):
            change()
            started = time.perf_counter()
            if program:
                subprocess.run(command, cwd=WORK, check=True)
            else:
                report = build_index([corpus], index_dir)
                assert report.added + report.updated + report.removed == 1, report.as_dict()
            measured[label].append(time.perf_counter() - started)
            state = load_state(current_generation(index_dir))
            assert state is not None and not state.full, "the graph was rebuilt"
    return measured


def watch_latency(corpus: Path, index_dir: Path, count: int) -> list[float]:
    """Seconds from writing a new article into the watched archive to ``search()`` finding it."""
    command = [sys.executable, "-m", "newsindex", "watch", str(corpus), "--index", str(index_dir), "--format", "jsonl"]
    watch = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        first = json.loads(watch.stdout.readline())  # the catch-up: nothing is timed before it
        print(f"watch caught up in {first['seconds']:.2f} s")
        latencies = []
        for n in range(count):
            word = f"zqwatch{n}x{os.getpid()}"
            path = corpus / "live" / f"watch-{n}.txt"
            path.parent.mkdir(exist_ok=True)
            written = time.perf_counter()
            path.write_text(f"Watch bulletin {n}\n\nThe harbour watch logged {word} at dawn.\n", encoding="utf-8")
            while not search(word, index_dir).total:
                time.sleep(0.02)
            latencies.append(time.perf_counter() - written)
            time.sleep(0.5)
        return latencies
    finally:
        watch.terminate()
        watch.wait(timeout=30)
        shutil.rmtree(corpus / "live", ignore_errors=True)
        build_index([corpus], index_dir)


def profile_one_run(corpus: Path, index_dir: Path, top: int) -> str:
    path = corpus / "live" / "bench-profiled.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(NEW_ARTICLE.format(n=9), encoding="utf-8")
    profiler = cProfile.Profile()
    profiler.enable()
    build_index([corpus], index_dir)
    profiler.disable()
    path.unlink()
    build_index([corpus], index_dir)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5, help="one-file runs of each kind")
    parser.add_argument("--scale-dir", type=Path, default=CACHE / "scale")
    parser.add_argument("--reuse", action="store_true", help="reuse an index built by an earlier run (no full build)")
    parser.add_argument("--profile", type=int, default=25, metavar="N", help="functions shown of the profiled run")
    parser.add_argument("--watch", type=int, default=0, metavar="N", help="time N articles written under watch")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    corpus = args.scale_dir / f"corpus-{args.articles}"
    index_dir = args.scale_dir / f"incremental-index-{args.articles}"
    written = write_scaled_corpus(args.data, corpus, args.articles)
    shutil.rmtree(corpus / "live", ignore_errors=True)
    print(f"corpus: {written} files in {corpus} (Reuters replicated with shifted years)")
    full = None
    if not (args.reuse and current_generation(index_dir)):
        started = time.perf_counter()
        report = build_index([corpus], index_dir, rebuild=True)
        full = time.perf_counter() - started
        print(f"full build: {report.documents} articles in {full:.1f} s")
    build_index([corpus], index_dir)  # drop leftovers of an interrupted earlier bench
    measured = one_file_runs(corpus, index_dir, args.runs) if args.runs else {}
    if args.runs:
        program = installed_venv(WORK / "venv-installed", reinstall=True) / "newsindex"
        measured |= one_file_runs(corpus, index_dir, args.runs, program)
    for label, seconds in measured.items():
        median = statistics.median(seconds)
        ratio = f" = {100 * median / full:.2f}% of the full build" if full else ""
        print(f"{label}: median {median:.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}){ratio}")
    if args.profile:
        print(profile_one_run(corpus, index_dir, args.profile))
    if args.watch:
        latencies = watch_latency(corpus, index_dir, args.watch)
        print(
            f"watch: written -> searchable median {statistics.median(latencies):.2f} s "
            f"(min {min(latencies):.2f}, max {max(latencies):.2f}; target 2 s): "
            + ", ".join(f"{value:.2f}" for value in latencies)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
