"""Stage 2, extract: find metadata and candidate paragraphs in a document.

Three shapes of input arrive here: scraped plain text (header lines such as
``Published:`` and ``Section | By Author``, a title, then the page text),
HTML pages (see ``htmlpage``), and records from JSON/JSONL/CSV exports.  Each
becomes a ``Draft``; removing boilerplate from its paragraphs is the next
stage's job, so nothing here throws text away except the metadata lines it
has understood (and those are listed in ``Draft.removed``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from urllib.parse import urlsplit

from .bylines import field_authors, parse_byline, read_byline, split_authors  # noqa: F401 (re-exported)
from .data import data_lines
from .dates import ParsedDate, parse_date
from .models import Draft, RawDocument, Removal

# --- header lines of scraped text ---------------------------------------------

_DATE_LABEL_RE = re.compile(
    r"^(?P<label>published|first\s+published|updated|last\s+updated|modified|date|dated|posted(?:\s+on)?|filed)\s*(?:on|at)?\s*[:\-–—]?\s+(?P<value>.{4,120})$",
    re.I,
)
_FIELD_RE = re.compile(
    r"^(?P<label>source|outlet|publisher|publication|url|link|canonical|section|category|language)\s*:\s*(?P<value>.{1,300})$",
    re.I,
)
_URL_RE = re.compile(r"^(?:<)?(https?://[^\s<>\"]{3,500})(?:>)?$", re.I)
_ROLE_LINE_RE = re.compile(r"^(?:staff\s+(?:reporter|writer|correspondent)|by\s+staff|wire\s+reports?)\.?$", re.I)
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_HEADER_SCAN_LINES = 14
_TITLE_MAX = 300


def site_name_from_url(url: str | None) -> str | None:
    """The host of a URL without ``www.``: the outlet when nothing names it."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


class _Header:
    """Metadata gathered from header lines, with what each line was."""

    def __init__(self) -> None:
        self.published: ParsedDate | None = None
        self.updated: ParsedDate | None = None
        self.authors: list[str] = []
        self.section: str | None = None
        self.source: str | None = None
        self.url: str | None = None
        self.language: str | None = None
        self.bad_dates: list[str] = []
        self.credit: str | None = None  # "By X, Reuters": the agency the byline credits

    def take(self, line: str, *, dayfirst: bool) -> str | None:
        """Absorb ``line`` if it is header metadata; return its kind or None."""
        stripped = line.strip()
        if not stripped or len(stripped) > 320:
            return None
        match = _DATE_LABEL_RE.match(stripped)
        if match:
            parsed = parse_date(match.group("value"), dayfirst=dayfirst)
            if parsed is not None:
                label = match.group("label").lower()
                if label.startswith(("updated", "last", "modified")):
                    self.updated = self.updated or parsed
                else:
                    self.published = self.published or parsed
                return "date"
            # "Posted by X" is a byline and "Posted in Politics" a label, not
            # dates; only a value with digits was an attempt at a date.
            if any(ch.isdigit() for ch in match.group("value")):
                self.bad_dates.append(stripped)
                return "date"
        byline = read_byline(stripped)
        if byline is not None:
            for name in byline.authors:
                if name not in self.authors:
                    self.authors.append(name)
            if byline.section and not self.section:
                self.section = byline.section
            self.credit = self.credit or byline.credit
            return "byline"
        if _ROLE_LINE_RE.match(stripped):
            return "byline"
        match = _FIELD_RE.match(stripped)
        if match:
            label, value = match.group("label").lower(), match.group("value").strip()
            if label in {"url", "link", "canonical"}:
                if not _URL_RE.match(value):
                    return None
                self.url = self.url or value.strip("<>")
            elif label in {"section", "category"}:
                self.section = self.section or value
            elif label == "language":
                self.language = self.language or value
            else:
                self.source = self.source or value
            return label
        if _URL_RE.match(stripped):
            self.url = self.url or stripped.strip("<>")
            return "url"
        if len(stripped) <= 60 and _YEAR_RE.search(stripped) and len(stripped.split()) <= 9:
            parsed = parse_date(stripped, dayfirst=dayfirst)
            if parsed is not None:
                self.published = self.published or parsed
                return "date"
        return None


def _looks_like_title(line: str, lines: list[str], index: int) -> bool:
    """Is this first line of content a headline rather than the text itself?

    A headline is short, is not a long sentence ending in a full stop, and
    has text after it: a document of one line (an abstract, a note) is all
    body and has no title.
    """
    if len(line) > _TITLE_MAX:
        return False
    if not any(rest.strip() for rest in lines[index + 1 :]):
        return False
    return not (line[-1:] in ".!?" and len(line.split()) > 15)


def strip_site_suffix(title: str, known_source: str | None) -> str:
    """``"Headline | Outlet"`` -> ``"Headline"`` when the tail names a site."""
    for separator in (" | ", " - ", " – ", " — ", " :: ", " « ", " » "):
        if separator not in title:
            continue
        head, _, tail = title.rpartition(separator)
        tail_words = tail.split()
        if len(head.split()) < 3 or not 1 <= len(tail_words) <= 5:
            continue
        if known_source and tail.strip().lower() == known_source.lower():
            return head.strip()
        looks_like_site = all(
            w[:1].isupper() or w[:1].isdigit() or "." in w or w in {"&", "of", "the", "and"} for w in tail_words
        )
        if looks_like_site:
            return head.strip()
    return title


def _is_hard_wrapped(lines: list[str]) -> bool:
    """True for blocks wrapped at a fixed width (old wire copy, e-mail).

    A paragraph's last line may be short whatever the width, so only lines
    followed by a non-indented line within the block are measured.
    """
    if len(lines) < 3:
        return False
    if max(len(line.rstrip()) for line in lines) <= 110:
        # Wire layout: indentation, not line ends, starts each paragraph.
        indented_inside = sum(1 for line in lines[1:-1] if line[:1] in (" ", "\t"))
        if indented_inside and any(line[:1] not in (" ", "\t") for line in lines[1:]):
            return True
        # A long line whose sentence runs on into a lower-case next line.
        if any(
            len(first.strip()) >= 30 and first.rstrip()[-1:] not in '.!?:;"”' and second.lstrip()[:1].islower()
            for first, second in pairwise(lines)
        ):
            return True
    measured = [len(lines[i].rstrip()) for i in range(len(lines) - 1) if lines[i + 1][:1] not in (" ", "\t")]
    if len(measured) < 2:
        return False
    longest = max(measured)
    if longest > 110 or longest < 30:
        return False
    near_full = sum(1 for n in measured if n >= longest * 0.6)
    return near_full >= len(measured) * 0.7


def paragraphs_from_text(lines: list[str]) -> list[str]:
    """Blocks of text -> paragraphs.

    Blank lines separate blocks.  Hard-wrapped blocks are rejoined, a new
    paragraph starting at each indented line (the Reuters layout); in any
    other block each line is its own candidate paragraph, since scraped pages
    put one visual block (a menu item, a caption, a paragraph) per line.
    """
    paragraphs: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        if _is_hard_wrapped(block):
            current: list[str] = []
            for line in block:
                if current and line[:1] in (" ", "\t"):
                    paragraphs.append(" ".join(current))
                    current = []
                stripped = line.strip()
                if stripped:
                    current.append(stripped)
            if current:
                paragraphs.append(" ".join(current))
        else:
            paragraphs.extend(line.strip() for line in block if line.strip())
        block.clear()

    for line in lines:
        if line.strip():
            block.append(line.rstrip())
        else:
            flush()
    flush()
    return [" ".join(p.split()) for p in paragraphs]


def extract_text(raw: RawDocument, *, dayfirst: bool = False) -> Draft:
    """Scraped plain text -> Draft: header metadata, title, paragraphs."""
    text = raw.text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    header = _Header()
    removed: list[Removal] = []
    title = ""
    body_start = len(lines)
    seen_nonblank = 0
    index = 0
    # Header lines may come before and after the title; scan the first few.
    while index < len(lines) and seen_nonblank < _HEADER_SCAN_LINES:
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        seen_nonblank += 1
        kind = header.take(stripped, dayfirst=dayfirst)
        if kind is not None:
            removed.append(Removal(stripped, f"metadata:{kind}"))
            index += 1
            continue
        if not title:
            if _looks_like_title(stripped, lines, index):
                title = stripped
                removed.append(Removal(stripped, "metadata:title"))
                index += 1
                continue
            body_start = index
            break
        body_start = index
        break
    else:
        body_start = index
    paragraphs = paragraphs_from_text(lines[body_start:])
    source = header.source or site_name_from_url(header.url) or folder_source(raw.path)
    published = header.published or header.updated
    warnings = [f"unparseable date: {line!r}" for line in header.bad_dates] if published is None else []
    return Draft(
        id=raw.id,
        path=raw.path,
        title=strip_site_suffix(title, header.source),
        authors=header.authors,
        published=published.value if published else None,
        date_only=published.date_only if published else False,
        section=header.section,
        source=source,
        url=header.url,
        language=header.language,
        paragraphs=paragraphs,
        removed=removed,
        warnings=warnings,
    )


def folder_source(path: str) -> str | None:
    parent = os.path.basename(os.path.dirname(path))  # os.path: a Path per article costs more
    return parent or None


# --- records ------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_field_map() -> dict[str, tuple[str, ...]]:
    """Article field -> record keys to try, from ``data/record_fields.txt``."""
    mapping: dict[str, tuple[str, ...]] = {}
    for line in data_lines("record_fields.txt"):
        name, _, keys = line.partition(":")
        mapping[name.strip()] = tuple(k.strip() for k in keys.split(",") if k.strip())
    return mapping


def field_map_with(overrides: Mapping[str, str | Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """The default mapping with user overrides first: ``{"body": "fields.bodyText"}``, or
    candidate keys in order (``{"title": ["headline.main", "headline"]}``)."""
    mapping = dict(default_field_map())
    for name, keys in (overrides or {}).items():
        if name not in mapping:
            raise ValueError(f"unknown article field {name!r} (known: {', '.join(sorted(mapping))})")
        first = (keys,) if isinstance(keys, str) else tuple(keys)
        mapping[name] = (*first, *[k for k in mapping[name] if k not in first])
    return mapping


def _lookup(record: Mapping, dotted: str):
    value: object = record
    for part in dotted.split("."):
        if isinstance(value, list):
            values = [item.get(part) for item in value if isinstance(item, Mapping)]
            value = [v for v in values if v is not None] or None
        elif isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value


def _first(record: Mapping, keys: tuple[str, ...]):
    for key in keys:
        value = _lookup(record, key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("name", "title", "text", "value", "@value"):
            if isinstance(value.get(key), str):
                return value[key]
        return ""
    if isinstance(value, list):
        return "\n\n".join(_as_text(v) for v in value if v)
    return str(value)


def _authors_from(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        people: list[str] = []
        for item in value:
            for name in _authors_from(item):
                if name not in people:
                    people.append(name)
        return people
    text = _as_text(value).strip()
    if not text:
        return []
    return field_authors(text)


_HTML_HINT_RE = re.compile(r"<(?:p|br|div|span|a|em|strong|b|i|h[1-6]|ul|li|figure|img)\b[^>]*>", re.I)


def _parse_record_date(value, dayfirst: bool) -> ParsedDate | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from datetime import datetime, timezone

        seconds = value / 1000 if value > 1e11 else value
        try:
            return ParsedDate(datetime.fromtimestamp(seconds, timezone.utc), date_only=False)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_date(_as_text(value), dayfirst=dayfirst)


def extract_record(
    raw: RawDocument, *, dayfirst: bool = False, field_map: Mapping[str, tuple[str, ...]] | None = None
) -> Draft:
    """One JSON/CSV record -> Draft, mapping fields by their common names."""
    record = raw.record or {}
    fields = field_map or default_field_map()
    title = " ".join(_as_text(_first(record, fields["title"])).split())
    body = _as_text(_first(record, fields["body"]))
    warnings: list[str] = []
    if _HTML_HINT_RE.search(body):
        from .htmlpage import html_fragment_paragraphs

        paragraphs = html_fragment_paragraphs(body)
    else:
        paragraphs = paragraphs_from_text(body.replace("\r\n", "\n").split("\n"))
    raw_date = _first(record, fields["published"])
    parsed = _parse_record_date(raw_date, dayfirst) if raw_date is not None else None
    if raw_date is not None and parsed is None:
        warnings.append(f"unparseable date: {_as_text(raw_date)[:80]!r}")
    url = _as_text(_first(record, fields["url"])).strip() or None
    source = _as_text(_first(record, fields["source"])).strip() or site_name_from_url(url) or folder_source(raw.path)
    section = _as_text(_first(record, fields["section"])).strip() or None
    language = _as_text(_first(record, fields["language"])).strip() or None
    return Draft(
        id=raw.id,
        path=raw.path,
        title=title,
        authors=_authors_from(_first(record, fields["authors"])),
        published=parsed.value if parsed else None,
        date_only=parsed.date_only if parsed else False,
        section=section,
        source=source,
        url=url,
        language=language,
        paragraphs=paragraphs,
        warnings=warnings,
    )


def extract(
    raw: RawDocument, *, dayfirst: bool = False, field_map: Mapping[str, tuple[str, ...]] | None = None
) -> Draft:
    """Dispatch a document to the extractor for its kind."""
    if raw.kind == "html":
        from .htmlpage import extract_html

        return extract_html(raw, dayfirst=dayfirst)
    if raw.kind == "record":
        return extract_record(raw, dayfirst=dayfirst, field_map=field_map)
    return extract_text(raw, dayfirst=dayfirst)
