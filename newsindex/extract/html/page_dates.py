"""A page's publication date from its text and markup, when no field of the page declares it.

Pages that declare no date (a meta tag, JSON-LD, microdata) still show one: a visible
date line in the page's language ("3. März 2020", "le 12 janvier 2021", "03.02.2022"),
a ``<time>`` element, the URL's path, a copyright line.  htmldate (by trafilatura's
author, well kept, evaluated on thousands of pages in many languages) weighs all of
these, prefers the original date over an update, and reads dates in many languages:
a better job than a rule list we would write, so it is used here, with its own choice
of the original publication date.  It gives a day, never a time, so no time zone can
shift it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from ...dates import ParsedDate

_logger = logging.getLogger("htmldate")
_logger.addHandler(logging.NullHandler())  # its warnings are for developers, not for our users
_logger.propagate = False


def find_page_date(page_text: str, url: str | None = None) -> ParsedDate | None:
    """The day the page was first published, as the page shows it, or None."""
    if not page_text or not page_text.strip():
        return None
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - a dependency; without it pages rely on their fields
        return None
    try:
        # Bytes, never a str: htmldate fetches a str that looks like a URL.
        found = find_date(
            page_text.encode("utf-8", "surrogatepass"), extensive_search=True, original_date=True, url=url
        )
    except Exception:  # a third-party parser must not stop an ingest run
        return None
    if not found:
        return None
    try:
        day = datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return ParsedDate(day, date_only=True)
