"""Bylines: "By A and B" lines parsed into authors, agencies and roles (words from data/bylines.txt).

One module for both extractors: plain text header lines and HTML pages read bylines the same way."""

from __future__ import annotations

import re
from functools import lru_cache

from ..data import data_sections

_BYLINE_RE = re.compile(
    r"^(?:(?P<section>[^|]{1,60}?)\s*[|•·]\s*)?"
    r"(?P<label>by|posted\s+by|written\s+by|words\s+by|reported\s+by|story\s+by|authors?\s*:|reporter\s*:|byline\s*:)"
    r"\s+(?P<names>.{2,200})$",
    re.I,
)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|\band\b|&|\bwith\b)\s*", re.I)
_NAME_WORD_RE = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.\-]*$|^(?:de|da|van|von|der|den|du|la|le|bin|al|el|di|del|dos|y)$")


@lru_cache(maxsize=1)
def _byline_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    groups = data_sections("bylines.txt", first="agencies")
    return tuple(
        frozenset(word.lower() for word in groups.get(name, ())) for name in ("agencies", "roles", "organisation_words")
    )


def split_authors(names: str) -> list[str]:
    """Person names from the part of a byline after "By".

    ``"A and B"``, ``"A, B and C"``, ``"A, Reuters"`` and ``"A, Staff reporter"``
    all come out as the people alone.  Parts that do not look like a name
    (lower-case words, digits, too long) are dropped.
    """
    agencies, roles, organisation_words = _byline_words()
    names = re.sub(r"\s+", " ", names).strip(" .,-–—|")
    names = re.sub(r"\s*[(\[].*?[)\]]", "", names)  # "(Reuters)", "[Twitter]"
    people: list[str] = []
    for part in _NAME_SPLIT_RE.split(names):
        part = part.strip(" .,-–—:@")
        if not part:
            continue
        lowered = part.lower()
        if lowered in agencies or lowered in roles:
            continue
        words = part.split()
        if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in part):
            continue
        if len(words) > 1 and words[-1].lower() in organisation_words:
            continue
        if part.isupper() and len(words) > 1:
            part = part.title()
            words = part.split()
        if not all(_NAME_WORD_RE.match(word) for word in words):
            continue
        if part not in people:
            people.append(part)
    return people


def parse_byline(line: str) -> tuple[list[str], str | None] | None:
    """``(authors, section)`` from a byline line, or None if it is not one."""
    line = line.strip()
    if len(line) > 220:
        return None
    match = _BYLINE_RE.match(line)
    if not match:
        return None
    authors = split_authors(match.group("names"))
    section = (match.group("section") or "").strip() or None
    if not authors and not _is_role_only(match.group("names")):
        return None
    return authors, section


def _is_role_only(text: str) -> bool:
    agencies, roles, _ = _byline_words()
    parts = [p.strip(" .,").lower() for p in _NAME_SPLIT_RE.split(text) if p.strip(" .,")]
    return bool(parts) and all(p in agencies or p in roles for p in parts)
