"""Peak memory of indexing one huge JSONL export: flat, whatever the file's size.

Builds JSONL files of about 100 MB and 1 GB in /tmp from real articles (Reuters-21578 as
scraped text and the BBC News set, read in place from ../shared/data and cleaned by
newsindex once), repeated as many times as the size needs.  Each repetition gets its own
record ids, URLs and outlet name ("Reuters #3"), so every record is a distinct article and
the boilerplate learned per outlet is what one copy of the corpus teaches, as in a real
archive.  Then, for each file, ``python -m newsindex index FILE --index DIR -q --format json``
runs in a fresh subprocess (and ``python -m newsindex extract FILE --format jsonl``, its
output thrown away) while the parent samples the resident memory of the process and all
its children from ``/proc`` every 20 ms; the peak of their sum is reported side by side
for the sizes, with articles per second of wall-clock time and per CPU-second of the
process tree (the latter does not suffer when other work shares the machine).

    python3 bench/records_memory.py                     # 100 MB and 1 GB (about 15 minutes)
    python3 bench/records_memory.py --sizes 20,200      # a quicker look
    python3 bench/records_memory.py --keep              # leave the files in --work for reuse
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from peak_memory import PeakMemory  # bench/peak_memory.py, beside this script

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DEFAULT_DATA = [SHARED / "reuters-txt", SHARED / "bbc"]


def load_articles(folders: list[Path]) -> list[dict]:
    """The real articles, cleaned once by newsindex, as record fields."""
    sys.path.insert(0, str(REPO))
    from newsindex.ingest import iter_articles
    from newsindex.models import Article

    records = []
    for item in iter_articles(folders):
        if not isinstance(item, Article) or not item.body:
            continue
        records.append(
            {
                "title": item.title,
                "body": "\n\n".join(item.body),
                "published": item.published.isoformat() if item.published else None,
                "authors": item.authors,
                "source": item.source or "Archive",
                "section": item.section,
            }
        )
    return records


def write_jsonl(path: Path, articles: list[dict], target_bytes: int) -> tuple[int, int]:
    """Write repetitions of ``articles`` until ``target_bytes``; returns (records, bytes)."""
    written = records = 0
    copy = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < target_bytes:
            copy += 1
            for article in articles:
                records += 1
                record = dict(article, id=f"r{records}", url=f"https://archive.example/{copy}/{records}")
                record["source"] = f"{article['source']} #{copy}"
                line = json.dumps(record, ensure_ascii=False) + "\n"
                handle.write(line)
                written += len(line.encode("utf-8"))
                if written >= target_bytes:
                    break
    return records, written


def measure(command: list[str], output: bool = True) -> dict:
    """Run a command; its peak RSS (process tree) and, with ``output``, its last line read as JSON."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdout = subprocess.PIPE if output else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=REPO, stdout=stdout, stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        printed, errors = process.communicate()
    peak, peak_main = memory.peak, memory.peak_main
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its workers, once waited for
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed (exit {process.returncode}): {errors.strip()[-500:]}")
    result = json.loads(printed.strip().splitlines()[-1]) if printed and printed.strip() else {}
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss": peak, "peak_rss_main": peak_main, "result": result}


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, nargs="+", default=DEFAULT_DATA, help="article folders (read in place)")
    parser.add_argument("--sizes", default="100,1000", help="JSONL sizes in MB, comma-separated (default 100,1000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsindex-records-bench"), help="files and indexes")
    parser.add_argument("--workers", type=int, default=2, help="newsindex worker processes (default 2)")
    parser.add_argument("--no-extract", action="store_true", help="measure `newsindex index` only")
    parser.add_argument("--keep", action="store_true", help="keep the generated JSONL files (reused next time)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    for folder in args.data:
        if not folder.is_dir():
            raise SystemExit(f"no data at {folder}")
    sizes = [int(size) for size in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    articles = None
    figures = []
    for size in sizes:
        path = args.work / f"export-{size}mb.jsonl"
        meta = args.work / f"export-{size}mb.json"
        if path.exists() and meta.exists():
            records = json.loads(meta.read_text(encoding="utf-8"))["records"]
        else:
            articles = articles if articles is not None else load_articles(args.data)
            records, _ = write_jsonl(path, articles, size * 1_000_000)
            meta.write_text(json.dumps({"records": records}), encoding="utf-8")
        index_dir = args.work / f"index-{size}mb"
        shutil.rmtree(index_dir, ignore_errors=True)
        base = [sys.executable, "-m", "newsindex"]
        workers = ["--workers", str(args.workers)]
        run = measure([*base, "index", str(path), "--index", str(index_dir), "-q", "--format", "json", *workers])
        row = {
            "size_bytes": path.stat().st_size,
            "records": records,
            "documents": run["result"].get("documents"),
            "failed": run["result"].get("failed"),
            "index_seconds": round(run["seconds"], 1),
            "articles_per_second": round(records / run["seconds"], 1),
            "index_cpu_seconds": round(run["cpu_seconds"], 1),
            "articles_per_cpu_second": round(records / run["cpu_seconds"], 1),
            "index_peak_rss": run["peak_rss"],
            "index_peak_rss_main": run["peak_rss_main"],
        }
        shutil.rmtree(index_dir, ignore_errors=True)
        if not args.no_extract:
            extract = measure([*base, "extract", str(path), "--format", "jsonl"], output=False)
            row |= {"extract_seconds": round(extract["seconds"], 1), "extract_peak_rss": extract["peak_rss"]}
        figures.append(row)
        if not args.keep:
            path.unlink()
            meta.unlink()
        print(f"{size} MB done: {row}", file=sys.stderr)
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"{'JSONL':>10} {'records':>9} {'index s':>8} {'articles/s':>10} {'/CPU s':>7} {'peak RSS':>9} {'main':>7}"
        f" {'extract s':>9} {'extract RSS':>11}"
    )
    for row in figures:
        print(
            f"{_mb(row['size_bytes']):>10} {row['records']:>9,} {row['index_seconds']:>8.1f}"
            f" {row['articles_per_second']:>10,.0f} {row['articles_per_cpu_second']:>7,.0f}"
            f" {_mb(row['index_peak_rss']):>9}"
            f" {_mb(row['index_peak_rss_main']):>7}"
            f" {row.get('extract_seconds', 0):>9.1f} {_mb(row.get('extract_peak_rss', 0)):>11}"
        )


if __name__ == "__main__":
    main()
