"""The days a reader sees written around a page's headline ("09.03.2022", "3 de mayo de 2022",
"March 3, 2020", "2022-05-04").

A page's fields can disagree with what it shows: a JSON-LD ``datePublished`` from a
template, a meta date set when the page was last deployed, a time in UTC that falls on
the next day.  The day the page prints next to its headline is the day the outlet gives
its readers, so the fields are checked against it (``metadata._Dates``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from lxml import etree

from ...data import data_lines
from .page_lines import is_other_box

_ENGLISH = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option"})
#: Characters of text read before the headline (a dateline above it) and after it.
BEFORE, AFTER = 600, 2500
#: A dateline sits beside the headline: a day shown further from it than this is not one.
DATELINE_REACH = 600


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    """Month name or abbreviation (any language in ``data/month_names.txt``) -> 1..12."""
    numbers: dict[str, int] = {}
    for number, name in enumerate(_ENGLISH, 1):
        numbers[name] = number
        numbers[name[:3]] = number
    numbers["sept"] = 9
    for line in data_lines("month_names.txt"):
        english, _, others = line.partition(":")
        number = _ENGLISH.index(english.strip().lower()) + 1
        for name in others.split(","):
            if name.strip():
                numbers[name.strip().lower()] = number
    return numbers


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """The four shapes of a written day.  Each opens with a look-ahead for the characters a
    match can start with: Python's regex engine then skips other positions at once instead
    of trying every month name at every word (same matches, about 3x faster)."""
    names = _month_numbers()
    months = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    initials = "".join(sorted({re.escape(name[0]) for name in names}))
    month = rf"(?P<month>{months})\.?"
    year = r"(?P<year>(?:19|20)\d\d)(?!\d)"
    day = r"(?P<day>[0-3]?\d)"
    day_month = re.compile(
        rf"(?=\d)(?<!\d){day}(?:\.|er|º|°)?\s*(?:de\s+|di\s+)?{month},?\s*(?:de\s+|del\s+)?{year}", re.I
    )
    month_day = re.compile(rf"(?=[{initials}])\b{month}\s+{day}(?:st|nd|rd|th)?,?\s+{year}", re.I)
    numeric = re.compile(
        r"(?=\d)(?<![\d.:/-])([0-3]?\d)([./-])([0-3]?\d)\2"
        r"((?:19|20)\d\d(?!\d)|(?<=\d\d\.\d\d\.)\d\d(?!\d)(?!\.\d))"
    )
    iso = re.compile(r"(?=[12])(?<![\d.:/-])((?:19|20)\d\d)([./-])([01]?\d)\2([0-3]?\d)(?![\d:])")
    return day_month, month_day, numeric, iso


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def days_in_text(text: str, dayfirst: bool) -> list[tuple[int, date]]:
    """Every calendar day written in ``text`` with where it starts, in the order written.

    A numeric date is read day-first when the page's language writes it so, unless one
    of its numbers can only be a day (``03/25/2022``); one that reads both ways
    ("11/01/2021" on a German page) is given both ways, the language's reading first."""
    day_month, month_day, numeric, iso = _patterns()
    found: list[tuple[int, int, date]] = []
    numbers = _month_numbers()
    for pattern in (day_month, month_day):
        for match in pattern.finditer(text):
            month_number = numbers.get(match.group("month").lower())
            value = month_number and _day(int(match.group("year")), month_number, int(match.group("day")))
            if value:
                found.append((match.start(), 0, value))
    for match in numeric.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        year += 2000 if year < 100 else 0
        readings = [(first, second), (second, first)] if dayfirst else [(second, first), (first, second)]
        for rank, (day, month) in enumerate(r for r in readings if r[1] <= 12):
            value = _day(year, month, day)
            if value:
                found.append((match.start(), rank, value))
    for match in iso.finditer(text):
        value = _day(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        if value:
            found.append((match.start(), 0, value))
    return [(start, value) for start, _, value in sorted(found, key=lambda item: item[:2])]


def headline_text(root: etree._Element, headline: etree._Element | None) -> tuple[str, int]:
    """The page's visible text around its headline, and where the headline starts in it:
    ``BEFORE`` characters before it and ``AFTER`` from its start (the top of the page when
    it has no headline element); boxes that quote or list other pages are left out."""
    body = root.find("body")
    if body is None:
        return "", 0
    parts: list[str] = []
    length, mark, skipping = 0, None, 0
    # A skipped box is passed over unread, unless the headline is inside it (its place still counts).
    holds_headline = set() if headline is None else set(headline.iterancestors())
    walk = etree.iterwalk(body, events=("start", "end"))
    for event, element in walk:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping or not tag or tag in _SKIP_TAGS or (element is not body and is_other_box(element)):
                skipping += 1
                if element not in holds_headline:
                    walk.skip_subtree()
            if element is headline:
                mark = length
            if not skipping and element.text:
                parts.append(element.text)
                length += len(element.text) + 1
        else:
            if skipping:
                skipping -= 1
            if not skipping and element.tail:
                parts.append(element.tail)
                length += len(element.tail) + 1
        if length > (mark if mark is not None else 0 if headline is None else 10**9) + AFTER:
            break
    text = " ".join(parts)
    start = max(0, (mark or 0) - BEFORE)
    return text[start : (mark or 0) + AFTER], (mark or 0) - start


@lru_cache(maxsize=1)
def _revision_label() -> re.Pattern:
    words = "|".join(sorted(map(re.escape, data_lines("date_labels.txt")), key=len, reverse=True))
    return re.compile(rf"(?:^|\W)(?:{words})\b[^\d]{{0,20}}$", re.I)


@dataclass(frozen=True)
class ShownDay:
    """A day printed near the headline: how far from it (characters), and whether a label
    ("Updated", "Aktualisiert", "Stand:") says it is a revision."""

    distance: int
    day: date
    revision: bool


def dateline_days(root: etree._Element, headline: etree._Element | None, dayfirst: bool) -> list[ShownDay]:
    """The days shown around the headline, nearest first (below the headline before above it)."""
    text, mark = headline_text(root, headline)
    label = _revision_label()
    found = [
        ShownDay(abs(start - mark), value, bool(label.search(text[max(0, start - 40) : start])))
        for start, value in days_in_text(text, dayfirst)
    ]
    return sorted(found, key=lambda shown: (shown.distance, shown.distance < 0))
