"""Scraped plain text: header lines (Published:, Section | By Author, Source:), a title, then paragraphs."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from ..data import data_lines
from ..dates import ParsedDate, parse_date
from ..models import Draft, RawDocument, Removal
from .bylines import read_byline
from .outlets import site_name_from_url, strip_site_suffix

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


@lru_cache(maxsize=1)
def _dangling_words() -> frozenset[str]:
    return frozenset(" ".join(data_lines("title_cues.txt")).split())


_HEADLINE_MAX_WORDS = 25
_SENTENCE_MIN_WORDS = 12


def _looks_like_title(line: str, lines: list[str], index: int) -> bool:
    """Is this first line of content a headline rather than the text itself?

    General cues, not fitted to one source: a headline is short (at most 25 words),
    is not a sentence (a full stop after twelve words or more, unless the last word is an
    abbreviation such as "U.S."), does not stop on an open phrase (a comma, or a word
    like "the", "of", "und" written in lower case: data/title_cues.txt), does not run on into a lower-case
    next line, and has text after it: a one-line document (an abstract, a note) is all
    body and has no title.
    """
    words = line.split()
    if len(line) > _TITLE_MAX or len(words) > _HEADLINE_MAX_WORDS:
        return False
    if not any(rest.strip() for rest in lines[index + 1 :]):
        return False
    last = words[-1]
    if line[-1:] == "." and len(words) >= _SENTENCE_MIN_WORDS and last.count(".") < 2 and not line.endswith(".."):
        return False
    if line[-1:] in ",;" or last.strip("\"'“”«»") in _dangling_words():
        return False
    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
    return not following[:1].islower()


def _headline_continuation(title: str, lines: list[str], index: int) -> str | None:
    """The second line of a headline broken over two ("... FILED CHAPTER 11 BANKRUPTCY" /
    "PETITION"): right under the first, alone before a blank line, short, not a sentence,
    and written like it (capitals under capitals, or running on in lower case)."""
    if index + 1 >= len(lines) or title[-1:] in ".!?:":
        return None
    following = lines[index + 1].strip()
    after = lines[index + 2].strip() if index + 2 < len(lines) else ""
    if not following or after or len(following.split()) > 12 or following[-1:] in ".!?":
        return None
    if not ((following.isupper() and title.isupper()) or following[:1].islower()):
        return None
    if _Header().take(following, dayfirst=False) is not None:
        return None
    return following


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
            rest = _headline_continuation(stripped, lines, index)
            candidate = f"{stripped} {rest}" if rest else stripped
            if _looks_like_title(candidate, lines, index + (1 if rest else 0)):
                title = candidate
                removed.append(Removal(stripped, "metadata:title"))
                if rest:
                    removed.append(Removal(rest, "metadata:title"))
                    index += 1
                index += 1
                continue
            body_start = index
            break
        body_start = index
        break
    else:
        body_start = index
    paragraphs = paragraphs_from_text(lines[body_start:])
    source = header.source or site_name_from_url(header.url) or header.credit
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
