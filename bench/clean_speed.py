"""How fast are extract() and clean() on a real archive of short wire articles?

Reads every file of ``reuters-txt/`` once (disk time is not counted), then
times extraction, cleaning, and cleaning with the learned layer, each the best
of a few runs on one core (CPU time).  Targets: extraction + cleaning >= 4,000
articles/s, cleaning well under 100 us per article.

    python3 bench/clean_speed.py [--data ../shared/data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsindex.clean import LearnedBoilerplate, clean, load_rules  # noqa: E402
from newsindex.extract import extract  # noqa: E402
from newsindex.read import discover, read_documents  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"


def best_of(repeat: int, run: Callable[[], None]) -> float:
    """Fastest of ``repeat`` runs, in CPU seconds of this process (so other work on a shared
    machine does not count), with the garbage collector paused."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding reuters-txt/")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best counts)")
    args = parser.parse_args(argv)
    folder = args.data / "reuters-txt"
    if not folder.is_dir():
        print(f"no reuters-txt under {args.data}", file=sys.stderr)
        return 2
    raws = [raw for found in discover([folder]) for raw in read_documents(found)]
    rules = load_rules()
    drafts = [extract(raw) for raw in raws]
    count = len(raws)

    extract_s = best_of(args.repeat, lambda: [extract(raw) for raw in raws] and None)
    clean_s = best_of(args.repeat, lambda: [clean(draft, rules=rules) for draft in drafts] and None)
    learned = LearnedBoilerplate()
    observe_s = best_of(1, lambda: [learned.observe(d.source, d.paragraphs) for d in drafts] and None)
    learned_s = best_of(args.repeat, lambda: [clean(d, rules=rules, learned=learned) for d in drafts] and None)

    def per(seconds: float) -> str:
        return f"{1e6 * seconds / count:7.1f} us/article"

    print(f"{count} articles from {folder}, best of {args.repeat} runs, one core")
    print(f"extract                 {per(extract_s)}  {count / extract_s:8.0f} articles/s")
    print(f"clean                   {per(clean_s)}  {count / clean_s:8.0f} articles/s")
    print(f"extract + clean         {per(extract_s + clean_s)}  {count / (extract_s + clean_s):8.0f} articles/s")
    print(f"learned: observe        {per(observe_s)}")
    print(f"learned: clean          {per(learned_s)}  {count / learned_s:8.0f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
