"""Main-text extraction on every shared set, side by side with trafilatura and jusText, in one run.

Sets (read in place under --data; all are development sets: they were looked
at while tuning):

  aeb          article-extraction-benchmark: 181 news pages, truth ``articleBody``;
               whole-page text dumps in ``aeb-text/``
  readability  Mozilla Readability's test pages: ``source.html``, truth the text
               of ``expected.html``; the text dump is the page's visible text,
               one block per line (made here, as ``aeb-text`` was)
  cleanportal  cleaning-sets/cleanportaleval: 70 news portal and blog pages,
               ``html/``, ``text/`` dumps, ``gold.json``

Systems, all scored on title + body with the shingle F1 of ``shingles.py``:

  newsindex HTML    the pipeline on the HTML page (extract, then clean)
  trafilatura       trafilatura 2.3.1 on the same decoded HTML (title + text)
  newsindex text    the pipeline on the page's whole-text dump
  jusText (lines)   jusText classifying the same candidate paragraphs of the dump

Speed: HTML pages per second of newsindex and trafilatura over all sets (one
core; their passes interleaved, the best of --repeat each, by wall clock and by
CPU time; decoding is done beforehand for both), with the load average.

    python bench/extraction_quality.py [--data ../shared/data] [--sets aeb,readability]
                                       [--worst 10 --system html] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shingles import page_scores, summarise  # noqa: E402

from newsindex.clean import load_rules  # noqa: E402
from newsindex.extract import extract  # noqa: E402
from newsindex.ingest import article_from_draft  # noqa: E402
from newsindex.models import RawDocument  # noqa: E402
from newsindex.read import decode  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"


@dataclass
class Page:
    set: str
    id: str
    site: str  # URL host where known, else the page itself
    html: str  # decoded page
    text: str  # whole visible text, one block per line
    truth: str


# --- the sets -----------------------------------------------------------------------------------


def _host(url: str | None) -> str | None:
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.") or None


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return decode(data, html=True)[0]


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "head", "iframe", "object", "button", "select")


_SPACE_RUN_RE = re.compile(r"\s+")


def _folded(text: str) -> str:
    """White space as a browser lays it out: any run of it, line breaks included, is one space."""
    return _SPACE_RUN_RE.sub(" ", text)


def html_text(html: str, *, with_title: bool = False) -> str:
    """What a browser shows of ``html``, one block per line (first line the <title> if asked).

    Written independently of newsindex's extractor, so text-mode figures do not
    inherit its notion of a block.
    """
    from lxml import etree

    root = etree.fromstring(html or "<html></html>", etree.HTMLParser(remove_comments=True))
    if root is None:
        return ""
    title = " ".join("".join(root.findtext(".//title") or "").split())
    etree.strip_elements(root, *_INVISIBLE_TAGS, with_tail=False)
    parts: list[str] = []
    in_pre = 0  # a browser keeps a <pre>'s line breaks and folds every other run of white space
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCK_TAGS:
            parts.append("\n")
        if element.tag == "pre":
            in_pre += 1 if event == "start" else -1
        if event == "start" and element.text:
            parts.append(element.text if in_pre else _folded(element.text))
        if event == "end" and element.tail:
            parts.append(element.tail if in_pre > 0 else _folded(element.tail))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    body = "\n".join(line for line in lines if line)
    return f"{title}\n\n{body}" if with_title and title else body


def aeb_pages(data: Path) -> Iterator[Page]:
    folder = data / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        text_path = data / "aeb-text" / f"{page_id}.txt"
        yield Page(
            "aeb",
            page_id,
            _host(truth[page_id].get("url")) or page_id,
            _decoded(folder / "html" / f"{page_id}.html.gz"),
            text_path.read_text(encoding="utf-8") if text_path.exists() else "",
            truth[page_id].get("articleBody") or "",
        )


def readability_pages(data: Path) -> Iterator[Page]:
    folder = data / "readability-test-pages"
    for page_dir in sorted(p for p in folder.iterdir() if (p / "expected.html").exists()):
        html = _decoded(page_dir / "source.html")
        yield Page(
            "readability",
            page_dir.name,
            page_dir.name,
            html,
            html_text(html, with_title=True),
            html_text(_decoded(page_dir / "expected.html")),
        )


def cleanportal_pages(data: Path) -> Iterator[Page]:
    folder = data / "cleaning-sets" / "cleanportaleval"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    for page_id in sorted(gold):
        body = gold[page_id].get("articleBody") or ""
        url = re.match(r"URL:\s*(\S+)", body)
        yield Page(
            "cleanportal",
            page_id,
            (_host(url.group(1)) if url else None) or page_id.rsplit("_", 1)[0],
            _decoded(folder / "html" / f"{page_id}.html"),
            (folder / "text" / f"{page_id}.txt").read_text(encoding="utf-8", errors="replace"),
            body,
        )


SETS: dict[str, Callable[[Path], Iterator[Page]]] = {
    "aeb": aeb_pages,
    "readability": readability_pages,
    "cleanportal": cleanportal_pages,
}
SET_LABELS = {
    "aeb": "article-extraction-benchmark",
    "readability": "Readability test pages",
    "cleanportal": "CleanPortalEval",
}


# --- label artefacts: listed beside the raw figures, never dropped from them ---------------------------------------

_ADDRESS_LINE_RE = re.compile(r"\AURL:[^\n]*\n?")


def without_address_line(truth: str) -> str:
    """CleanPortalEval's gold opens with "URL: <address>", the annotation format's header, which no
    page shows as text: every system misses its shingles (many on a short page)."""
    return _ADDRESS_LINE_RE.sub("", truth, count=1)


def label_notes(pages: list[Page]) -> list[str]:
    """Pages whose gold holds no article text once its address line is gone (a section front)."""
    notes = []
    for page in pages:
        rest = re.sub(r"<!--.*?-->", " ", without_address_line(page.truth), flags=re.S)
        if len(rest.split()) < 4:
            reason = "gold says the page has no article" if "no article" in page.truth else "gold has no text"
            notes.append(f"{page.set} {page.id}: {reason}; every system scores 0 on it, counted")
    return notes


def load_sets(data: Path, names: list[str]) -> list[Page]:
    pages: list[Page] = []
    for name in names:
        pages.extend(SETS[name](data))
    return pages


# --- systems under test ---------------------------------------------------------------------------


def make_newsindex(kind: str) -> Callable[[Page], str]:
    """Title and body of newsindex's pipeline (extract, clean) on the page's HTML or its text dump."""
    rules = load_rules()

    def run(page: Page) -> str:
        source = page.html if kind == "html" else page.text
        raw = RawDocument(path=f"{page.set}/{page.id}.{'html' if kind == 'html' else 'txt'}", kind=kind, text=source)
        article = article_from_draft(extract(raw), rules, None)
        return "\n\n".join([article.title, *article.body])

    return run


def make_trafilatura() -> Callable[[Page], str] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(page: Page) -> str:
        document = trafilatura.bare_extraction(page.html, include_comments=False, with_metadata=True)
        if document is None:
            return ""
        return "\n\n".join(part for part in (document.title, document.text) if part)

    return run


def make_justext() -> Callable[[Page], str] | None:
    """jusText classifying newsindex's candidate paragraphs of the text dump, each as its own <p>."""
    try:
        import justext
    except ImportError:
        return None
    stoplist = justext.get_stoplist("English")

    def run(page: Page) -> str:
        draft = extract(RawDocument(path=f"{page.set}/{page.id}.txt", kind="text", text=page.text))
        if not draft.paragraphs:
            return draft.title
        html = "<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in draft.paragraphs) + "</body></html>"
        kept = [p.text for p in justext.justext(html.encode("utf-8"), stoplist) if not p.is_boilerplate]
        return "\n\n".join([draft.title, *kept])

    return run


@dataclass
class Speed:
    """Pages per second of one system: the best pass by wall clock and by the process's CPU time."""

    wall: float = 0.0
    cpu: float = 0.0


def timed_interleaved(
    systems: dict[str, Callable[[Page], str]], pages: list[Page], repeat: int
) -> tuple[dict[str, list[str]], dict[str, Speed]]:
    """Outputs per page and speeds of ``systems``, their passes taken in turn (A B A B ...).

    Interleaving gives each system the same share of whatever else loads the machine;
    the best of ``repeat`` passes is kept (other load only slows a pass).  CPU time of
    this process is reported beside wall time: it is what other helpers' load disturbs least.
    """
    outputs: dict[str, list[str]] = {}
    speed = {name: Speed() for name in systems}
    for _ in range(max(1, repeat)):
        for name, system in systems.items():
            wall, cpu = time.perf_counter(), time.process_time()
            outputs[name] = [system(page) for page in pages]
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            speed[name].wall = max(speed[name].wall, len(pages) / wall if wall else float("inf"))
            speed[name].cpu = max(speed[name].cpu, len(pages) / cpu if cpu else float("inf"))
    return outputs, speed


# --- the report ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--repeat", type=int, default=1, help="time the HTML extractors N times, report the fastest")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages where --system scores lowest")
    parser.add_argument("--system", default="html", choices=("html", "text"), help="the system --worst lists")
    parser.add_argument("--no-anchors", action="store_true", help="run newsindex only (quick iterations)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        print(f"unknown set(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not (args.data / "article-extraction-benchmark").is_dir():
        print(f"no shared data under {args.data} (give --data)", file=sys.stderr)
        return 2
    pages = load_sets(args.data, names)

    systems: dict[str, Callable[[Page], str] | None] = {
        "newsindex HTML": make_newsindex("html"),
        "trafilatura": None if args.no_anchors else make_trafilatura(),
        "newsindex text": make_newsindex("text"),
        "jusText (lines)": None if args.no_anchors else make_justext(),
    }
    if not args.no_anchors and systems["trafilatura"] is None:
        print("trafilatura not installed (pip install -e '.[bench]'): its column is left out", file=sys.stderr)
    load_before = os.getloadavg()
    timed = {name: system for name, system in systems.items() if system and name in ("newsindex HTML", "trafilatura")}
    outputs, speed = timed_interleaved(timed, pages, args.repeat)
    load_after = os.getloadavg()
    for name, system in systems.items():
        if system is not None and name not in timed:
            outputs[name] = [system(page) for page in pages]
    outputs = {name: outputs[name] for name in systems if name in outputs}  # the table's column order

    columns = list(outputs)
    print("Shingle F1 (precision, recall) of title + body; development sets (looked at while tuning)")
    print(f"{'set':<30} {'pages':>5}  " + "  ".join(f"{c:<21}" for c in columns))
    for set_name in names:
        indices = [i for i, page in enumerate(pages) if page.set == set_name]
        cells = []
        for column in columns:
            p, r, f1 = summarise(page_scores(pages[i].truth, outputs[column][i]) for i in indices)
            cells.append(f"{f1:.3f} ({p:.3f}, {r:.3f})")
        print(f"{SET_LABELS[set_name]:<30} {len(indices):>5}  " + "  ".join(f"{c:<21}" for c in cells))
    _print_label_artefacts(pages, names, columns, outputs)
    print()
    passes = max(1, args.repeat)
    print(f"HTML pages per second over {len(pages)} pages (one core; passes interleaved, best of {passes}):")
    print(f"  {'':<16} {'wall':>8} {'CPU':>8}")
    for name in ("newsindex HTML", "trafilatura"):
        if name in speed:
            print(f"  {name:<16} {speed[name].wall:8.1f} {speed[name].cpu:8.1f}")
    if "trafilatura" in speed:
        ours, theirs = speed["newsindex HTML"], speed["trafilatura"]
        print(f"  {'ratio':<16} {ours.wall / theirs.wall:7.2f}x {ours.cpu / theirs.cpu:7.2f}x")
    print(
        "  load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )

    if args.worst:
        column = "newsindex HTML" if args.system == "html" else "newsindex text"
        rows = []
        for i, page in enumerate(pages):
            p, r = page_scores(page.truth, outputs[column][i])
            rows.append(((p or 0.0) + (r or 0.0), p, r, page))
        rows.sort(key=lambda row: row[0])
        print(f"\nworst {args.worst} pages for {column} (precision, recall):")
        for _, p, r, page in rows[: args.worst]:
            print(f"  {page.set:<12} {page.id[:40]:<40} P={p if p is not None else float('nan'):.3f} R={r or 0:.3f}")
    return 0


def _print_label_artefacts(
    pages: list[Page], names: list[str], columns: list[str], outputs: dict[str, list[str]]
) -> None:
    """Label artefacts with the figures they cost, beside (never instead of) the raw figures above."""
    indices = [i for i, page in enumerate(pages) if page.set == "cleanportal" and page.truth.startswith("URL:")]
    if "cleanportal" not in names or not indices:
        return
    print(
        f"\nLabel artefacts (counted above): {len(indices)} CleanPortalEval golds open with a 'URL: <address>' line"
        " no page shows as text. Without that line, F1 (P, R):"
    )
    cells = []
    for column in columns:
        scores = (page_scores(without_address_line(pages[i].truth), outputs[column][i]) for i in indices)
        p, r, f1 = summarise(scores)
        cells.append(f"{f1:.3f} ({p:.3f}, {r:.3f})")
    print(f"{'CleanPortalEval, no address':<30} {len(indices):>5}  " + "  ".join(f"{c:<21}" for c in cells))
    for note in label_notes([pages[i] for i in indices]):
        print(f"  {note}")


if __name__ == "__main__":
    sys.exit(main())
