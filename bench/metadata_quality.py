"""Metadata quality: title, authors and publication date of HTML pages, newsindex beside trafilatura.

Three labelled sets, read in place, each scored in the same run for both extractors:

    metadata-eval           421 pages with gold title / authors / date (half of trafilatura's
                            metadata evaluation set; the other half is held out)
    readability-test-pages  Mozilla Readability's test pages: expected title, byline,
                            publishedTime and siteName
    newspaper4k             newspaper4k's test pages; the expected values are newspaper4k's own
                            output, and some are wrong (listed in WRONG_LABELS, with the reason,
                            beside the figure: they are counted all the same)

Raw accuracy over every labelled case: a case is a page whose expected value is not empty.
For newspaper4k the figure over all pages is printed too (an empty expected value must then
come out empty).  Comparison rules, the ones that reproduce trafilatura's published figures on
metadata-eval (title 0.620, date 0.874, authors 0.495 for trafilatura 2.3.1):

    title    equal after collapsing white space and ignoring case;
    date     the same calendar day, as the page states it (the first ten characters of the
             expected ISO value against the extracted value's own day, no time-zone shift);
    authors  the same set of names, each compared with white space collapsed and case ignored
             (trafilatura's "A; B" string is split at ";").  An expected Readability byline is
             one string: it is cut at ",", ";", "&", " and " and a leading "By ".
    outlet   (Readability siteName only) equal after collapsing white space, ignoring case.

Misses are classed to steer the work: not found (nothing extracted), wrong, and for dates
day-month swap and off by one day.

    python bench/metadata_quality.py [--data ../shared/data] [--sets metadata-eval,readability,newspaper4k]
                                     [--no-trafilatura] [--misses FIELD] [--limit N]

Data is read in place; nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsindex.read import classify, read_documents  # noqa: E402

try:  # the extraction stage's entry point, before and after the stage packages
    from newsindex.extract import extract
except ImportError:  # pragma: no cover
    from newsindex.extract.extract import extract  # type: ignore

FIELDS = ("title", "authors", "date")

#: newspaper4k expected values that are not right answers, judged by reading each page.
#: They stay in the figures; the reason is printed beside them.
WRONG_LABELS: dict[tuple[str, str], str] = {
    ("article_with_divs", "authors"): "'LinkNaija' is the site's name, not a person",
    ("fox13now_001", "authors"): "'CNN Wire' is an agency credit, not a person",
    ("japanese_article", "authors"): "'日本経済新聞社' (Nikkei Inc.) is the publisher, not a person",
    ("japanese_article", "title"): "carries a photo credit and the outlet's name after the headline",
    ("video_article_01", "authors"): "page furniture ('Print', 'updated', 'on December') and the outlet",
    ("wired_001", "authors"): "ten names, most from related-story boxes; the story has one byline",
    ("yna_co_kr", "authors"): "'www.facebook.com' is a web address",
}

#: metadata-eval expected values judged wrong by reading the page (counted all the same).
METADATA_EVAL_WRONG: dict[tuple[str, str], str] = {
    ("uusisuomi.fi.angela.html", "date"): "2019-02-19: Sanna Marin, whom the story calls prime minister, took office "
    "in December 2019; every date on the page says 2020-02-19",
    ("wochenblatt.com-Heinen-Essen.html", "date"): "2022-02-21: the page's datePublished and dateline say 21.01.2022",
    ("theoriginalcopy.de.baby.html", "date"): "2022-08-11: every date on the page is 2020-08-11 (2022 is the copyright "
    "year)",
    ("spektrum.de.coronavirus.html", "authors"): "two people as one name ('Lars Fischer und Alina Schadwinkel')",
    ("gothamist.com-plagues.html", "authors"): "two people as one name ('David Brand and Ramsey Khalifeh')",
    ("duengebehoerde-niedersachsen.de-Sperrfristen.html", "authors"): "two people as one name ('... und ...')",
    ("aussengedanken.de.feuerholz.html", "authors"): "the label and two people as one name ('Von A und B')",
    ("ebike-mtb.com-OFFROAD.html", "authors"): "two people as one name ('Rudolf Fischer, Simon Kohler')",
    ("makronom.de-Ressourcenschutzgesetz.html", "authors"): "three people as one name ('A, B & C')",
    ("dailymail.co.uk.food.html", "authors"): "two people and the outlet as one name ('A And B For The Mail ...')",
    ("maenner.media-church.html", "authors"): "a person and a role as one name ('Michael Rädel, Redaktion')",
}

# --- cases ------------------------------------------------------------------------


@dataclass
class Case:
    """One page with its expected values (empty when the set gives none)."""

    key: str
    path: Path
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    outlet: str = ""


def metadata_eval_cases(data: Path) -> Iterator[Case]:
    folder = data / "metadata-eval"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    for name in sorted(gold):
        item = gold[name]
        yield Case(
            name, folder / "html" / name, item.get("title") or "", item.get("authors") or [], item.get("date") or ""
        )


_BYLINE_CUT_RE = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)


def byline_names(byline: str) -> list[str]:
    """A Readability byline string as names: cut at , ; & and, a leading "By " removed."""
    text = re.sub(r"^\s*by\s+", "", byline or "", flags=re.I)
    return [part for part in (p.strip() for p in _BYLINE_CUT_RE.split(text)) if part]


def readability_cases(data: Path) -> Iterator[Case]:
    folder = data / "readability-test-pages"
    for expected_path in sorted(folder.glob("*/expected-metadata.json")):
        item = json.loads(expected_path.read_text(encoding="utf-8"))
        yield Case(
            expected_path.parent.name,
            expected_path.parent / "source.html",
            item.get("title") or "",
            byline_names(item.get("byline") or ""),
            item.get("publishedTime") or "",
            item.get("siteName") or "",
        )


def newspaper4k_cases(data: Path) -> Iterator[Case]:
    folder = data / "newspaper4k"
    for meta_path in sorted((folder / "metadata").glob("*.json")):
        html_path = folder / "html" / f"{meta_path.stem}.html"
        if html_path.exists():
            item = json.loads(meta_path.read_text(encoding="utf-8"))
            yield Case(
                meta_path.stem,
                html_path,
                item.get("title") or "",
                item.get("authors") or [],
                item.get("publish_date") or "",
            )


SETS = {"metadata-eval": metadata_eval_cases, "readability": readability_cases, "newspaper4k": newspaper4k_cases}


# --- extractors: what each says, in one shape ------------------------------------


@dataclass
class Found:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    day: date | None = None
    outlet: str = ""


def newsindex_found(path: Path) -> Found:
    raw = next(read_documents(classify(path)))
    draft = extract(raw)
    return Found(
        draft.title or "", list(draft.authors), draft.published.date() if draft.published else None, draft.source or ""
    )


def trafilatura_found(path: Path) -> Found:
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    tree = load_html(path.read_bytes())
    meta = extract_metadata(tree) if tree is not None else None
    if meta is None:
        return Found()
    authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()]
    return Found(meta.title or "", authors, _day(meta.date or ""), meta.sitename or "")


# --- comparison -------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def verdict(field_name: str, case: Case, found: Found) -> str:
    """ "right", or the class of the miss."""
    if field_name == "title":
        if not found.title:
            return "not found"
        return "right" if _norm(found.title) == _norm(case.title) else "wrong"
    if field_name == "outlet":
        if not found.outlet:
            return "not found"
        return "right" if _norm(found.outlet) == _norm(case.outlet) else "wrong"
    if field_name == "authors":
        if not found.authors:
            return "not found" if case.authors else "right"
        if not case.authors:
            return "wrong"
        return "right" if {_norm(n) for n in found.authors} == {_norm(n) for n in case.authors} else "wrong"
    wanted = _day(case.date)
    if found.day is None:
        return "not found" if wanted else "right"
    if wanted is None:
        return "wrong"
    if found.day == wanted:
        return "right"
    if (found.day.year, found.day.month, found.day.day) == (wanted.year, wanted.day, wanted.month):
        return "day-month swap"
    if abs((found.day - wanted).days) == 1:
        return "off by one day"
    return "wrong"


def expected_of(field_name: str, case: Case) -> object:
    return {"title": case.title, "authors": case.authors, "date": case.date, "outlet": case.outlet}[field_name]


def found_of(field_name: str, found: Found) -> object:
    return {"title": found.title, "authors": found.authors, "date": found.day, "outlet": found.outlet}[field_name]


# --- report -----------------------------------------------------------------------


@dataclass
class Tally:
    right: Counter = field(default_factory=Counter)
    labelled: Counter = field(default_factory=Counter)
    all_right: Counter = field(default_factory=Counter)
    misses: dict[str, Counter] = field(default_factory=dict)
    missed: list[tuple[str, str, object, object, str]] = field(default_factory=list)

    def add(self, field_name: str, case: Case, found: Found) -> None:
        outcome = verdict(field_name, case, found)
        self.all_right[field_name] += outcome == "right"
        if not expected_of(field_name, case):
            return
        self.labelled[field_name] += 1
        if outcome == "right":
            self.right[field_name] += 1
            return
        self.misses.setdefault(field_name, Counter())[outcome] += 1
        self.missed.append((field_name, case.key, expected_of(field_name, case), found_of(field_name, found), outcome))


def score_set(name: str, cases: list[Case], extractors: dict, fields: tuple[str, ...]) -> dict[str, Tally]:
    tallies = {extractor: Tally() for extractor in extractors}
    for extractor, function in extractors.items():
        started = time.perf_counter()
        for case in cases:
            try:
                found = function(case.path)
            except Exception as exc:  # a crash is a full miss, and is said
                print(f"  {extractor} failed on {case.key}: {type(exc).__name__}: {exc}"[:200], file=sys.stderr)
                found = Found()
            for field_name in fields:
                tallies[extractor].add(field_name, case, found)
        tallies[extractor].seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return tallies


def print_set(name: str, cases: list[Case], tallies: dict[str, Tally], fields: tuple[str, ...], args) -> None:
    print(f"\n{name}: {len(cases)} pages (raw accuracy over labelled cases)")
    print(f"{'field':<8} " + "  ".join(f"{extractor:>22}" for extractor in tallies))
    for field_name in fields:
        cells = []
        for tally in tallies.values():
            n = tally.labelled[field_name]
            cells.append(f"{tally.right[field_name]:>4}/{n:<4} = {tally.right[field_name] / n if n else 0:5.3f}")
        print(f"{field_name:<8} " + "  ".join(f"{c:>22}" for c in cells))
    if name == "newspaper4k":
        for field_name in fields:
            print(
                f"  all {len(cases)} pages, {field_name}: "
                + ", ".join(f"{x} {t.all_right[field_name]}/{len(cases)}" for x, t in tallies.items())
            )
    for extractor, tally in tallies.items():
        classes = "; ".join(
            f"{f}: " + ", ".join(f"{k} {v}" for k, v in tally.misses.get(f, Counter()).most_common()) for f in fields
        )
        print(f"  {extractor} misses - {classes}  ({getattr(tally, 'seconds', 0):.1f} s)")
    malformed = [c for c in cases if c.date and _day(c.date) is None]
    if malformed:
        print("  expected dates that are no calendar date (counted all the same; a right answer misses):")
        for case in malformed:
            print(f"    {case.key}: {case.date!r}")
    wrong_labels = {"newspaper4k": WRONG_LABELS, "metadata-eval": METADATA_EVAL_WRONG}.get(name)
    if wrong_labels:
        print("  expected values that are wrong (counted all the same):")
        for (key, field_name), reason in wrong_labels.items():
            hits = ", ".join(
                f"{x} {'agrees' if not any(m[0] == field_name and m[1] == key for m in t.missed) else 'differs'}"
                for x, t in tallies.items()
            )
            print(f"    {key}.{field_name}: {reason} ({hits})")
    if args.misses:
        for field_name, key, wanted, got, outcome in tallies["newsindex"].missed[: args.limit]:
            if field_name in args.misses.split(","):
                print(f"  miss {outcome:<15} {key}.{field_name}: expected {wanted!r}, got {got!r}"[:300])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the side-by-side anchor")
    parser.add_argument("--misses", default="", help="list newsindex's misses of these fields (title,authors,date)")
    parser.add_argument("--limit", type=int, default=10_000, help="at most N listed misses per set")
    args = parser.parse_args(argv)
    extractors = {"newsindex": newsindex_found}
    if not args.no_trafilatura:
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print("trafilatura not installed: pip install -e '.[bench]' (skipping the anchor)", file=sys.stderr)
        else:
            extractors["trafilatura"] = trafilatura_found
    for name in args.sets.split(","):
        if name not in SETS:
            print(f"unknown set {name!r} (known: {', '.join(SETS)})", file=sys.stderr)
            return 2
        try:
            cases = list(SETS[name](args.data))
        except FileNotFoundError as exc:
            print(f"{name}: no data ({exc.filename}); give --data", file=sys.stderr)
            continue
        fields = (*FIELDS, "outlet") if name == "readability" else FIELDS
        print_set(name, cases, score_set(name, cases, extractors, fields), fields, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
