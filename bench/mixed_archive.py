"""Two workers on an archive of unlike folders: how much faster than one.

An archive is rarely one kind of file: a folder of HTML pages beside folders of short wire
stories is usual, and one HTML page costs what twenty stories do.  This builds such an
archive in a temporary folder (copies, read from ../shared/data, never into the repository):
``a/`` 1,000 Reuters stories, ``b/`` the HTML pages of metadata-eval, the article extraction
benchmark and the cleaning sets (about 490), ``c/`` 1,000 BBC stories; then indexes it from
empty with one worker and with two, alternately, each in a fresh process.

    python3 bench/mixed_archive.py [--data ../shared/data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from newsindex.index import build_index
started = time.perf_counter()
report = build_index([sys.argv[2]], sys.argv[3], workers=int(sys.argv[4]))
print(json.dumps({"seconds": time.perf_counter() - started, "documents": report.documents}))
"""


def assemble(data: Path, target: Path) -> dict[str, int]:
    """The three folders, copied; returns how many files each holds."""
    folders = {
        "a": sorted((data / "reuters-txt").rglob("*.txt"))[:1000],
        "b": sorted(
            path
            for part in ("metadata-eval", "article-extraction-benchmark", "cleaning-sets")
            for path in (data / part).rglob("*.html")
        ),
        "c": sorted((data / "bbc").rglob("*.txt"))[:1000],
    }
    for name, paths in folders.items():
        folder = target / name
        folder.mkdir(parents=True)
        for number, path in enumerate(paths):
            shutil.copyfile(path, folder / f"{number:05d}{path.suffix}")
    return {name: len(paths) for name, paths in folders.items()}


def build(archive: Path, index_dir: Path, workers: int) -> dict:
    shutil.rmtree(index_dir, ignore_errors=True)
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, str(REPO), str(archive), str(index_dir), str(workers)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (args.data / "reuters-txt").is_dir():
        sys.exit(f"no data at {args.data} (see ../shared/data/README.md)")
    with tempfile.TemporaryDirectory(prefix="newsindex-mixed-") as work:
        archive = Path(work) / "archive"
        counts = assemble(args.data, archive)
        times: dict[int, list[float]] = {1: [], 2: []}
        documents = 0
        for _ in range(args.repeat):
            for workers in (1, 2):
                result = build(archive, Path(work) / "index", workers)
                times[workers].append(result["seconds"])
                documents = result["documents"]
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"archive: {', '.join(f'{name}/ {count} files' for name, count in counts.items())}; {documents:,} documents")
    print(f"1 worker  {one:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in times[1])})")
    print(f"2 workers {two:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in times[2])})")
    print(f"two workers: {one / two:.2f}x one")


if __name__ == "__main__":
    main()
