"""Streaming a big JSON array of records beside parsing it whole with ``json.load``.

Makes a JSON file (an array of article records, ``--size`` MB, from the same real articles
as ``records_memory.py``) in /tmp, then in a fresh subprocess each: ``json.load`` of the
whole file (what newsindex did before, under a 64 MB cap) and ``read_documents``, which
streams it with ``newsindex.read.JsonStream``; reports MB/s and the subprocess's peak RSS.

    python3 bench/json_stream.py                 # 200 MB
    python3 bench/json_stream.py --size 50 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from records_memory import DEFAULT_DATA, load_articles, write_jsonl  # noqa: E402


def make_array(path: Path, size_mb: int, data: list[Path]) -> int:
    """A JSON array file of about ``size_mb`` MB; returns its number of records."""
    lines = path.with_suffix(".jsonl")
    records, _ = write_jsonl(lines, load_articles(data), size_mb * 1_000_000)
    with open(lines, encoding="utf-8") as source, open(path, "w", encoding="utf-8") as target:
        target.write("[\n")
        for number, line in enumerate(source):
            target.write((",\n" if number else "") + line.rstrip("\n"))
        target.write("\n]\n")
    lines.unlink()
    return records


def _child(mode: str, path: str) -> None:
    sys.path.insert(0, str(REPO))
    from newsindex.read import JsonStream, classify, read_documents
    from newsindex.read.records import _text_chunks

    started = time.perf_counter()
    if mode == "whole":
        with open(path, encoding="utf-8") as handle:
            count = len(json.load(handle))
    elif mode == "stream":
        with open(path, "rb") as handle:
            count = sum(1 for _ in JsonStream(_text_chunks(handle)).records())
    else:
        count = sum(1 for _ in read_documents(classify(Path(path))))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"records": count, "seconds": seconds, "peak_rss": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, nargs="+", default=DEFAULT_DATA, help="article folders (read in place)")
    parser.add_argument("--size", type=int, default=200, help="JSON file size in MB (default 200)")
    parser.add_argument("--file", type=Path, default=Path("/tmp/newsindex-json-bench.json"), help="kept for reuse")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the median is reported")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if not args.file.exists():
        make_array(args.file, args.size, args.data)
    size = args.file.stat().st_size
    print(f"{args.file}: {size / 1e6:,.0f} MB")
    modes = (
        ("whole", "json.load, whole file"),
        ("stream", "JsonStream.records()"),
        ("documents", "read_documents()"),
    )
    for mode, label in modes:
        runs = []
        for _ in range(args.repeat):
            output = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(args.file)], capture_output=True, text=True, check=True
            ).stdout
            runs.append(json.loads(output))
        seconds = statistics.median(run["seconds"] for run in runs)
        peak = max(run["peak_rss"] for run in runs)
        print(
            f"{label:24} {runs[0]['records']:>9,} records {seconds:6.2f} s = {size / 1e6 / seconds:6.1f} MB/s;"
            f" peak RSS {peak / 1e6:,.0f} MB"
        )


if __name__ == "__main__":
    main()
