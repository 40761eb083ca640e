"""Stage 6, render: search results and articles as text, JSON, CSV or paths.

Scraped text is untrusted.  ``safe()`` removes every control character,
escape sequence (ANSI CSI/OSC, hyperlinks, title setting), backspace trick
and bidirectional override before anything is shown on a terminal; the only
escape codes in our output are the colours added here, and only when asked.
Functions return strings; printing is the CLI's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timezone, tzinfo

from .dates import format_iso
from .models import Article, Hit, SearchResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a search process need not)
if TYPE_CHECKING:
    from typing import Any


# ESC-initiated sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST),
# DCS/SOS/PM/APC (ESC P/X/^/_ ... ST) and two-byte escapes; plus the 8-bit
# C1 forms of the same.
_ESCAPE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
# Bidi embeddings, overrides and isolates reorder what follows them on screen.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))


_JSON_UNSAFE_RE = re.compile("[\x7f-\x9f\u2028\u2029" + "".join(map(chr, _BIDI)) + "]")


def to_json(value, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII text readable yet cannot drive a terminal.

    ``json.dumps`` escapes C0 controls (ESC included) but, with
    ``ensure_ascii=False``, not DEL, the C1 controls (8-bit CSI is one) or bidi
    overrides; escape those too, which is still valid JSON for any reader.
    """
    import json  # here: text output never needs it

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe(text: str | None, *, keep_newlines: bool = False) -> str:
    """Text that cannot move the cursor, change the terminal or reorder a line."""
    if not text:
        return ""
    text = _ESCAPE_RE.sub("", text)
    text = text.translate(_BIDI)
    out: list[str] = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in "\t\n\r\f\v":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs", "Co") or char in "\u2028\u2029":
            continue
        else:
            out.append(char)
    return "".join(out)


class Style:
    """ANSI colours, or nothing when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def match(self, text: str) -> str:
        return self._wrap("1;31", text)

    def accent(self, text: str) -> str:
        return self._wrap("36", text)

    def rank(self, text: str) -> str:
        return self._wrap("33", text)


_OUR_COLOUR_RE = re.compile(r"\x1b\[[0-9;]*m")


def _shown_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: our colour codes take none, wide (CJK) characters two."""
    plain = _OUR_COLOUR_RE.sub("", text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in plain)


def wrap(text: str, width: int | None, indent: str = "") -> list[str]:
    """``indent + text`` word-wrapped to ``width`` columns, continuation lines under the text.

    Works on text already coloured (the codes take no room); a word longer than
    a line stays whole.  ``width`` None (a pipe) leaves the text one line.
    """
    if width is None:
        return [indent + text]
    lines: list[str] = []
    line, used = indent, len(indent)
    for word in text.split(" "):
        if not word:
            continue
        size = _shown_width(word)
        if used > len(indent) and used + 1 + size > width:
            lines.append(line)
            line, used = indent, len(indent)
        if used > len(indent):
            line, used = line + " ", used + 1
        line, used = line + word, used + size
    lines.append(line)
    return lines


def _date_text(hit_or_article, tz: tzinfo | None = None) -> str:
    """The date as a person reads it: the day, or the time in ``tz`` (UTC by default) with the zone's name."""
    value = hit_or_article.published
    if value is None:
        return "undated"
    if hit_or_article.date_only:
        return value.date().isoformat()
    return value.astimezone(tz or timezone.utc).strftime("%Y-%m-%d %H:%M %Z")


def _highlight(snippet: str, spans: list[tuple[int, int]], style: Style) -> str:
    if not style.color or not spans:
        return safe(snippet)
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        parts.append(safe(snippet[position:start]))
        parts.append(style.match(safe(snippet[start:end])))
        position = end
    parts.append(safe(snippet[position:]))
    return "".join(parts)


def header_line(result: SearchResult) -> str:
    noun = "match" if result.total == 1 else "matches"
    pieces = [f"{result.total} {noun} in {result.seconds * 1000:.0f} ms"]
    if result.filters:
        pieces.append("filters: " + ", ".join(safe(f) for f in result.filters))
    if result.undated_excluded:
        pieces.append(f"{result.undated_excluded} undated excluded by the date filter")
    if result.relaxed:
        pieces.append("no article has every word; showing those with most of them")
    line = "; ".join(pieces)
    if result.suggestion:
        line += f"\ndid you mean: {safe(result.suggestion)}"
    return line


def past_the_end(page: int, per_page: int, total: int) -> str:
    """What ``--page`` beyond the last page gets told."""
    pages = -(-total // per_page)
    noun = "match makes" if total == 1 else "matches make"
    return f"page {page} is past the end: {total} {noun} {pages} page{'s' if pages != 1 else ''} of {per_page}"


HIT_FIELDS = (
    "id",
    "short_id",
    "path",
    "title",
    "authors",
    "published",
    "section",
    "source",
    "url",
    "score",
    "snippet",
    "similar",
)


def hit_as_dict(hit: Hit, tz: tzinfo | None = None) -> dict:
    return {
        "id": hit.id,
        "short_id": hit.short_id,
        "path": hit.path,
        "title": hit.title,
        "authors": hit.authors,
        "published": format_iso(hit.published, hit.date_only, tz),
        "section": hit.section,
        "source": hit.source,
        "url": hit.url,
        "score": hit.score,
        "snippet": hit.snippet,
        "similar": hit.similar,
    }


def render_hits_text(
    result: SearchResult, style: Style, first_rank: int = 1, tz: tzinfo | None = None, width: int | None = None
) -> Iterable[str]:
    """Hits as a person reads them, wrapped to ``width`` columns on a terminal."""
    for rank, hit in enumerate(result.hits, first_rank):
        title = safe(hit.title) or "(untitled)"
        number = f"{rank:>2}."
        first, *rest = wrap(style.bold(title), width, " " * (len(number) + 1))
        yield style.rank(number) + first[len(number) :]
        yield from rest
        facts = [_date_text(hit, tz)]
        if hit.source:
            facts.append(safe(hit.source))
        if hit.section:
            facts.append(safe(hit.section))
        if hit.authors:
            facts.append("by " + ", ".join(safe(a) for a in hit.authors))
        if hit.similar:
            facts.append(f"+{hit.similar} similar")
        facts.append(style.accent(hit.short_id))
        yield from wrap(" · ".join(style.dim(fact) for fact in facts[:-1]) + " · " + facts[-1], width, "    ")
        if hit.snippet:
            yield from wrap(_highlight(hit.snippet, hit.highlights, style), width, "    ")
        yield ""


def render_hits(
    result: SearchResult,
    fmt: str,
    style: Style,
    first_rank: int = 1,
    tz: tzinfo | None = None,
    width: int | None = None,
) -> Iterable[str]:
    """Lines of output for ``fmt`` in text, json, jsonl, csv or paths; times in ``tz`` (UTC by
    default); text wrapped to ``width`` columns when given (a terminal's)."""
    if fmt == "jsonl":
        for hit in result.hits:
            yield to_json(hit_as_dict(hit, tz))
    elif fmt == "json":
        payload = {
            "query": result.query,
            "total": result.total,
            "seconds": round(result.seconds, 4),
            "filters": result.filters,
            "undated_excluded": result.undated_excluded,
            "relaxed": result.relaxed,
            "suggestion": result.suggestion,
            "hits": [hit_as_dict(hit, tz) for hit in result.hits],
            "facets": {name: dict(counts) for name, counts in result.facets.items()},
        }
        yield to_json(payload, indent=2)
    elif fmt == "csv":
        import csv  # here: only this format writes CSV
        import io

        buffer = io.StringIO()
        columns = list(HIT_FIELDS)
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for hit in result.hits:
            row = hit_as_dict(hit, tz)
            row["authors"] = "; ".join(row["authors"])
            writer.writerow({key: safe(value) if isinstance(value, str) else value for key, value in row.items()})
        yield buffer.getvalue().rstrip("\n")
    elif fmt == "paths":
        seen: set[str] = set()
        for hit in result.hits:
            if hit.path not in seen:
                seen.add(hit.path)
                yield safe(hit.path)
    else:
        yield from render_hits_text(result, style, first_rank, tz, width)


def render_facets(facets: dict[str, list[tuple[str, int]]], style: Style) -> Iterable[str]:
    """Counts per group, with bars, for ``--group-by``."""
    for name, counts in facets.items():
        yield style.bold(f"by {name}")
        if not counts:
            yield "  (none)"
        largest = max((count for _, count in counts), default=0)
        label_width = min(40, max((len(safe(label)) for label, _ in counts), default=0))
        for label, count in counts[:50]:
            yield f"  {safe(label)[:label_width].ljust(label_width)} {count:>7}  {style.accent(_bar(count, largest))}"
        if len(counts) > 50:
            yield f"  … and {len(counts) - 50} more"
        yield ""


def article_as_dict(article: Article, explain: bool = False, tz: tzinfo | None = None) -> dict:
    data = {
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "authors": article.authors,
        "published": format_iso(article.published, article.date_only, tz),
        "section": article.section,
        "source": article.source,
        "url": article.url,
        "language": article.language,
        "body": article.text,
        "content_hash": article.content_hash,
    }
    if article.warnings:
        data["warnings"] = article.warnings
    if explain:
        data["removed"] = [{"text": r.text, "rule": r.rule} for r in article.removed]
    return data


def render_article_text(
    article: Article, style: Style, explain: bool = False, tz: tzinfo | None = None, width: int | None = None
) -> Iterable[str]:
    """An article in full, its paragraphs wrapped to ``width`` columns when given."""
    yield from wrap(style.bold(safe(article.title) or "(untitled)"), width)
    facts = [_date_text(article, tz)]
    for value in (article.source, article.section):
        if value:
            facts.append(safe(value))
    if article.authors:
        facts.append("by " + ", ".join(safe(a) for a in article.authors))
    yield style.dim(" · ".join(facts))
    if article.url:
        yield style.dim(safe(article.url))
    yield style.dim(safe(article.path))
    for warning in article.warnings:
        yield style.dim("warning: " + safe(warning))
    yield ""
    for paragraph in article.body:
        yield from wrap(safe(paragraph), width)
        yield ""
    if explain and article.removed:
        yield style.dim(f"-- removed ({len(article.removed)}) --")
        for removal in article.removed:
            yield style.dim(f"[{safe(removal.rule)}] ") + safe(removal.text)[:300]
        yield ""


def _bar(count: int, largest: int, width: int = 30) -> str:
    if largest <= 0:
        return ""
    return "█" * max(1, round(width * count / largest)) if count else ""


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """``1 article``, ``2 articles``, ``1,000 articles``."""
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


#: Outlets and authors ``stats`` lists before saying how many more there are.
STATS_SOURCES = 40
STATS_AUTHORS = 20


def render_stats(summary: dict, style: Style, show_all: bool = False) -> Iterable[str]:
    size_mb = summary["size_bytes"] / (1024 * 1024)
    yield style.bold(counted(summary["documents"], "article")) + f" in {safe(summary['index'])} ({size_mb:.1f} MB)"
    if summary["first"]:
        dates = f"dates: {summary['first']} to {summary['last']}"
        yield dates + (f"; {summary['undated']:,} undated" if summary["undated"] else "")
    elif summary["undated"]:
        yield f"dates: none found ({summary['undated']:,} undated)"
    if summary.get("folders"):
        yield ""
        yield style.bold("folders indexed")
        for folder, files in summary["folders"].items():
            yield f"  {safe(folder)}  ({counted(files, 'file')})"
    limits = {"sources": (STATS_SOURCES, "outlets", "the largest"), "authors": (STATS_AUTHORS, "authors", "the most")}
    for key in ("sources", "authors", "years"):
        title = key
        counts = summary.get(key)
        if not counts:
            continue
        shown = list(counts.items())
        if key in limits and not show_all and len(shown) > limits[key][0]:
            limit, things, which = limits[key]
            title = f"{key} ({limit} of {len(shown):,} {things}, {which}; all with --all or --format json)"
            shown = shown[:limit]
        yield ""
        yield style.bold(title)
        largest = max(counts.values())
        label_width = min(40, max(len(safe(str(k))) for k, _count in shown))
        for name, count in shown:
            label = safe(str(name))[:label_width].ljust(label_width)
            yield f"  {label} {count:>7}  {style.accent(_bar(count, largest))}"


# --- watch batches and alert reports ----------------------------------------------------
# JSONL records name their kind in ``event``: ``batch`` (an indexing run of ``watch`` or
# ``index``), ``alert`` (one new match of a saved search, with its ``report`` number, the
# same if a report is ever delivered twice) and ``hook-failed``.


def batch_record(report: Any, seconds: float, catch_up: bool = False, changed: int = 0) -> dict:
    return {
        "event": "batch",
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "catch_up": catch_up,
        "changed_paths": changed,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "failed": len(report.failed),
        "documents": report.documents,
        "seconds": round(seconds, 3),
    }


def batch_line(record: dict) -> str:
    when = datetime.fromisoformat(record["time"]).astimezone().strftime("%H:%M:%S")
    label = "caught up" if record["catch_up"] else when
    failed = f", {record['failed']} failed" if record["failed"] else ""
    return (
        f"{label}: {record['added']} added, {record['updated']} updated, {record['removed']} removed{failed}; "
        f"{record['documents']} articles ({record['seconds']:.2f} s)"
    )


def alert_lines(report: Any, fmt: str) -> Iterable[str]:
    """The report's new matches (in JSONL, its hook's failure too, as a record of its own)."""
    if fmt == "jsonl":
        for hit in report.hits:
            yield to_json({"event": "alert", "alert": report.alert, "report": report.report, **hit})
        if report.hook_error:
            yield to_json(
                {"event": "hook-failed", "alert": report.alert, "report": report.report, "error": report.hook_error}
            )
        return
    count = len(report.hits)
    yield f"alert {safe(report.alert)}: {count} new match{'es' if count != 1 else ''}"
    for hit in report.hits:
        facts = [fact for fact in (hit.get("published"), hit.get("source")) if fact]
        yield f"  {safe(hit.get('title')) or '(untitled)'}" + (f" · {safe(' · '.join(facts))}" if facts else "")
        yield f"    {safe(hit.get('short_id'))} {safe(hit.get('path'))}"


def alert_summary(alert: Any) -> str:
    """One line per saved search for ``alert list``."""
    filters = []
    if alert.match != "all":
        filters.append(f"--match {alert.match}")
    for flag, value in (("--since", alert.since), ("--until", alert.until)):
        if value:
            filters.append(f"{flag} {value!r}")
    if alert.tz != "UTC":
        filters.append(f"--tz {alert.tz}")
    for flag, values in (("--author", alert.authors), ("--source", alert.sources), ("--section", alert.sections)):
        filters.extend(f"{flag} {value!r}" for value in values)
    if alert.hook:
        filters.append(f"--exec {alert.hook!r}")
    return safe(f"{alert.name}\t{alert.query!r} {' '.join(filters)}".rstrip())


def alert_record(alert: Any) -> dict:
    return {"name": alert.name, "query": alert.query, **alert.filters(), "exec": alert.hook}
