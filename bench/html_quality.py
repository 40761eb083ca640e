"""HTML extraction quality and speed: newsindex next to trafilatura, in one run.

Main text: the article-extraction-benchmark pages (181 real news pages with a
hand-made ``articleBody``).  Score is the benchmark's own: token 4-gram shingles
of the extracted text against the truth, precision and recall per page,
averaged over pages (macro), F1 from the two averages.  Our text is measured
as ``extract_html(...).paragraphs`` and again after ``clean.clean``.

Metadata: title, authors and date on the newspaper4k test pages against the
values newspaper4k itself extracted, raw over every case (the full metadata
benchmark, with two more labelled sets, is ``metadata_quality.py``).

    python bench/html_quality.py [--data ../shared/data] [--no-trafilatura] [--worst 10]

Data is read in place; nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shingles import macro_f1, page_scores  # noqa: E402

from newsindex import clean as clean_module  # noqa: E402
from newsindex.extract.html import extract_html  # noqa: E402
from newsindex.models import RawDocument  # noqa: E402
from newsindex.read import classify, read_documents  # noqa: E402

# --- loading ---------------------------------------------------------------------


def load_benchmark(data: Path) -> tuple[dict[str, RawDocument], dict[str, str]]:
    """Pages decoded by our own reader (as the pipeline would), and their true bodies."""
    folder = data / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages: dict[str, RawDocument] = {}
    for page_id in sorted(truth):
        found = classify(folder / "html" / f"{page_id}.html.gz")
        pages[page_id] = next(read_documents(found))
    return pages, {page_id: truth[page_id].get("articleBody") or "" for page_id in pages}


def timed(
    function: Callable[[RawDocument], str], pages: dict[str, RawDocument], repeat: int = 1
) -> tuple[dict[str, str], float]:
    """Outputs per page and pages per second (one process, one core; the best of ``repeat`` runs,
    since other work on the machine only ever slows a run down)."""
    outputs: dict[str, str] = {}
    best = float("inf")
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        for page_id, page in pages.items():
            outputs[page_id] = function(page)
        best = min(best, time.perf_counter() - started)
    return outputs, len(pages) / best if best else float("inf")


def ours_raw(page: RawDocument) -> str:
    return "\n\n".join(extract_html(page).paragraphs)


def ours_cleaned(page: RawDocument) -> str:
    draft = extract_html(page)
    kept, _removed = clean_module.clean(draft)
    return "\n\n".join(kept)


def trafilatura_text(page: RawDocument) -> str:
    import trafilatura

    return trafilatura.extract(page.text, include_comments=False) or ""


def newspaper4k_agreement(data: Path, with_trafilatura: bool) -> list[str]:
    """Shingle P/R/F1 of our text (and trafilatura's) against the text newspaper4k extracted."""
    folder = data / "newspaper4k"
    pages: dict[str, RawDocument] = {}
    texts: dict[str, str] = {}
    for meta_path in sorted((folder / "metadata").glob("*.json")):
        html_path = folder / "html" / f"{meta_path.stem}.html"
        text = json.loads(meta_path.read_text(encoding="utf-8")).get("text") or ""
        if html_path.exists() and text:
            pages[meta_path.stem] = next(read_documents(classify(html_path)))
            texts[meta_path.stem] = text
    extractors: dict[str, Callable[[RawDocument], str]] = {"newsindex": ours_raw}
    if with_trafilatura:
        extractors["trafilatura"] = trafilatura_text
    lines = []
    for name, function in extractors.items():
        precision, recall, f1 = macro_f1([(texts[k], function(page)) for k, page in pages.items()])
        lines.append(f"{name:<18} {precision:6.3f} {recall:6.3f} {f1:6.3f}   ({len(pages)} pages)")
    return lines


# --- metadata --------------------------------------------------------------------


def metadata_accuracy(data: Path, with_trafilatura: bool) -> list[str]:
    """Raw title/authors/date accuracy on the newspaper4k pages: every case counted, the wrong
    expected values listed beside the figure (bench/metadata_quality.py holds the rules)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("metadata_quality", REPO / "bench" / "metadata_quality.py")
    quality = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = quality  # its dataclasses look their module up
    spec.loader.exec_module(quality)
    extractors = {"newsindex": quality.newsindex_found}
    if with_trafilatura:
        extractors["trafilatura"] = quality.trafilatura_found
    cases = list(quality.newspaper4k_cases(data))
    tallies = quality.score_set("newspaper4k", cases, extractors, quality.FIELDS)
    lines = []
    for field_name in quality.FIELDS:
        cells = []
        for name, tally in tallies.items():
            n = tally.labelled[field_name]
            every = f"all {len(cases)} pages: {tally.all_right[field_name]}"
            cells.append(f"{name} {tally.right[field_name]}/{n} ({every})")
        lines.append(f"{field_name:<8} " + ", ".join(cells))
    lines.append("expected values that are wrong (counted all the same):")
    lines += [f"  {key}.{field_name}: {reason}" for (key, field_name), reason in quality.WRONG_LABELS.items()]
    return lines


# --- report ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the side-by-side anchor")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages we score worst on")
    parser.add_argument("--halves", action="store_true", help="also score even/odd halves of the pages (stability)")
    parser.add_argument("--repeat", type=int, default=1, help="time each extractor N times, report the fastest")
    args = parser.parse_args(argv)
    if not (args.data / "article-extraction-benchmark" / "ground-truth.json").exists():
        print(f"no benchmark data under {args.data} (give --data)", file=sys.stderr)
        return 2

    pages, truth = load_benchmark(args.data)
    runs: dict[str, tuple[dict[str, str], float]] = {"newsindex": timed(ours_raw, pages, args.repeat)}
    runs["newsindex+clean"] = timed(ours_cleaned, pages, args.repeat)
    anchor = not args.no_trafilatura
    if anchor:
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print("trafilatura not installed: pip install trafilatura==2.3.1 (skipping the anchor)")
            anchor = False
        else:
            runs["trafilatura"] = timed(trafilatura_text, pages, args.repeat)

    print(f"article-extraction-benchmark: {len(pages)} pages (token 4-gram shingles, macro P/R)")
    print(f"{'extractor':<18} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8}")
    for name, (outputs, speed) in runs.items():
        precision, recall, f1 = macro_f1([(truth[k], outputs[k]) for k in pages])
        print(f"{name:<18} {precision:6.3f} {recall:6.3f} {f1:6.3f} {speed:8.1f}")
        if args.halves:
            keys = list(pages)
            for label, half in (("even", keys[0::2]), ("odd", keys[1::2])):
                p, r, f = macro_f1([(truth[k], outputs[k]) for k in half])
                print(f"  {label:<16} {p:6.3f} {r:6.3f} {f:6.3f}")
    if args.worst:
        outputs = runs["newsindex"][0]
        scored = []
        for page_id in pages:
            precision, recall = page_scores(truth[page_id], outputs[page_id])
            scored.append((min(precision or 0.0, recall or 0.0), precision, recall, page_id, pages[page_id]))
        scored.sort(key=lambda row: row[0])
        for _, precision, recall, page_id, _page in scored[: args.worst]:
            print(f"  P={precision if precision is not None else float('nan'):.2f} R={recall or 0:.2f} {page_id}")

    print()
    print("newspaper4k pages: agreement with newspaper4k's own text (its output, not a ground truth)")
    for line in newspaper4k_agreement(args.data, anchor):
        print(line)
    print()
    print("metadata on newspaper4k pages (expected = newspaper4k's own output; raw, every case)")
    for line in metadata_accuracy(args.data, anchor):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
