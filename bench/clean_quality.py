"""How well does extract() + clean() recover article bodies from whole-page text?

Data: ``aeb-text/<id>.txt`` (whole visible text of 181 real news pages, one
block per line, first line the page title) and the ideal bodies in
``article-extraction-benchmark/ground-truth.json``.  The score is the one the
article-extraction-benchmark project publishes: token 4-gram shingles are
matched as multisets, each document's tp/fp/fn are normalised to sum to one,
precision and recall are averaged over documents and F1 is taken from the two
averages.  Anchors run in the same pass: the page with no cleaning, and
jusText classifying the same lines (when jusText is installed).

    python3 bench/clean_quality.py [--data ../shared/data] [--worst 10] [--halves]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsindex.clean import clean, load_rules  # noqa: E402
from newsindex.extract import extract  # noqa: E402
from newsindex.models import RawDocument  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"
WORD_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4

Counts = tuple[float, float, float]


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter:
    """Multiset of ``size``-token windows; a text shorter than that is one window."""
    words = WORD_RE.findall(text or "")
    if len(words) <= size:
        return Counter([tuple(words)] if words else [])
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def match_counts(expected: str, predicted: str) -> Counts:
    """(tp, fp, fn) over shingles, scaled to sum to 1 so every page weighs the same."""
    want, got = shingles(expected), shingles(predicted)
    true_pos = sum((want & got).values())
    false_pos = sum((got - want).values())
    false_neg = sum((want - got).values())
    total = true_pos + false_pos + false_neg
    if total:
        return true_pos / total, false_pos / total, false_neg / total
    return 0.0, 0.0, 0.0


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def summarise(per_doc: Iterable[Counts]) -> dict[str, float]:
    """Macro precision and recall (documents with something to score), F1 of the two."""
    rows = list(per_doc)
    precision = statistics.mean([_precision(*r) for r in rows if r[0] + r[1] > 0] or [0.0])
    recall = statistics.mean([_recall(*r) for r in rows if r[0] + r[2] > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


# --- systems under test -------------------------------------------------------------------------


def load_pages(data: Path) -> list[tuple[str, str, str]]:
    """[(id, page text, expected body)] for every page with a ground truth."""
    truth = json.loads((data / "article-extraction-benchmark" / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((data / "aeb-text").glob("*.txt")):
        if path.stem in truth:
            pages.append((path.stem, path.read_text(encoding="utf-8"), truth[path.stem].get("articleBody", "")))
    return pages


def _draft(page_id: str, text: str):
    return extract(RawDocument(path=f"aeb-text/{page_id}.txt", kind="text", text=text))


def body_uncleaned(page_id: str, text: str) -> str:
    """Every candidate paragraph extract() finds: the floor."""
    return "\n\n".join(_draft(page_id, text).paragraphs)


def make_newsindex() -> Callable[[str, str], str]:
    rules = load_rules()

    def body(page_id: str, text: str) -> str:
        kept, _ = clean(_draft(page_id, text), rules=rules)
        return "\n\n".join(kept)

    return body


def make_justext() -> Callable[[str, str], str] | None:
    """jusText classifying the same candidate paragraphs, each as its own <p>."""
    try:
        import justext
    except ImportError:
        return None
    stoplist = justext.get_stoplist("English")

    def body(page_id: str, text: str) -> str:
        paragraphs = _draft(page_id, text).paragraphs
        html = "<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</body></html>"
        if not paragraphs:
            return ""
        kept = [p.text for p in justext.justext(html.encode("utf-8"), stoplist) if not p.is_boilerplate]
        return "\n\n".join(kept)

    return body


def score(system: Callable[[str, str], str], pages: list[tuple[str, str, str]]) -> tuple[list[Counts], float]:
    started = time.perf_counter()
    rows = [match_counts(expected, system(page_id, text)) for page_id, text, expected in pages]
    return rows, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder holding aeb-text/ and article-extraction-benchmark/"
    )
    parser.add_argument("--worst", type=int, default=0, help="list the N pages where newsindex scores lowest")
    parser.add_argument("--halves", action="store_true", help="also score the two halves of the set (odd/even pages)")
    args = parser.parse_args(argv)
    if not (args.data / "aeb-text").is_dir():
        print(f"no aeb-text under {args.data}", file=sys.stderr)
        return 2
    pages = load_pages(args.data)
    systems: list[tuple[str, Callable[[str, str], str]]] = [("no cleaning", body_uncleaned)]
    justext_body = make_justext()
    if justext_body is not None:
        systems.append(("jusText (lines)", justext_body))
    systems.append(("newsindex", make_newsindex()))
    print(f"{len(pages)} pages from {args.data / 'aeb-text'}")
    header = f"{'system':<18} {'F1':>6} {'prec':>6} {'recall':>6} {'ms/page':>8}"
    print(header + ("   F1 even  F1 odd" if args.halves else ""))
    results: dict[str, list[Counts]] = {}
    for name, system in systems:
        rows, seconds = score(system, pages)
        results[name] = rows
        total = summarise(rows)
        line = (
            f"{name:<18} {total['f1']:6.3f} {total['precision']:6.3f} {total['recall']:6.3f}"
            f" {1000 * seconds / len(pages):8.2f}"
        )
        if args.halves:
            line += f"   {summarise(rows[0::2])['f1']:7.3f} {summarise(rows[1::2])['f1']:7.3f}"
        print(line)
    if args.worst:
        ours = results["newsindex"]
        order = sorted(range(len(pages)), key=lambda i: _precision(*ours[i]) + _recall(*ours[i]))
        print(f"\nworst {args.worst} pages for newsindex (precision, recall):")
        for i in order[: args.worst]:
            print(f"  {pages[i][0][:16]}  P={_precision(*ours[i]):.3f} R={_recall(*ours[i]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
