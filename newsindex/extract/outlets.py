"""Outlet names: from a URL's host, from a title's "| Outlet" tail, from the folder an article sits in."""

from __future__ import annotations

import fnmatch
import os
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from ..data import data_lines


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


@lru_cache(maxsize=1)
def title_separator_re() -> re.Pattern[str]:
    """Where a title's parts meet (``data/title_separators.txt``): a mark between spaces,
    a full-width mark after a space."""
    marks = sorted(data_lines("title_separators.txt"), key=len, reverse=True)
    spaced = [m for m in marks if not all(unicodedata.east_asian_width(ch) == "F" for ch in m)]
    wide = [m for m in marks if m not in spaced]
    pattern = r"\s+(?:" + "|".join(map(re.escape, spaced)) + r")\s+"
    if wide:
        pattern += r"|\s+(?:" + "|".join(map(re.escape, wide)) + r")\s*"
    return re.compile(pattern)


def strip_site_suffix(title: str, known_source: str | None) -> str:
    """``"Headline | Outlet"`` -> ``"Headline"`` when the tail names a site."""
    for match in reversed(list(title_separator_re().finditer(title))):
        head, tail = title[: match.start()], title[match.end() :]
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


def configured_outlet(path: str, mapping: Mapping[str, str], default: str | None = None) -> str | None:
    """The outlet configuration gives the file at ``path``: the first ``[sources]`` glob that
    matches it, else ``default`` (``--source``), else None: a folder's name is no outlet.

    A glob matches the whole path, or any part of it made of whole folders ("reuters-txt",
    "bbc/*", "*/exports/guardian-*"); ``*`` also crosses "/"."""
    posix = path.replace(os.sep, "/")
    for pattern, outlet in mapping.items():
        glob = pattern.strip().rstrip("/")
        if any(fnmatch.fnmatchcase(posix, form) for form in (glob, f"*/{glob}", f"{glob}/*", f"*/{glob}/*")):
            return outlet
    return default
