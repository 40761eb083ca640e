"""A page's publication date: its fields in order of trust, checked against the day it shows.

The first date found, in this order, is the default: JSON-LD ``datePublished`` and the
published meta tags in their many spellings, Parse.ly, microdata, ``<time datetime>``
after the headline, htmldate's reading of the page (only when none of those gave one),
a date-classed element, the URL's ``/2020/01/31/``, and last the modified date.

When the page prints days near its headline and the default's day is none of them,
the first other publication candidate whose day is the dateline nearest the headline
wins (a template's stale ``datePublished``, a deploy time in a meta tag).  A day printed
as a revision ("Updated", "Aktualisiert", "Stand:") is never taken, nor a modified
field: a publication date is preferred to an update.  Failing that, a dateline one day
off a default given in UTC is the same moment in the outlet's own time zone when some
time zone (UTC-12 to UTC+14) can explain it, and that day is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from lxml import etree

from ...dates import ParsedDate, parse_date
from .page_dates import find_page_date
from .structured import _PUBLISHED_META, _UPDATED_META, _URL_DATE_RE, _element_text, _ld_text
from .visible_dates import DATELINE_REACH, dateline_days

#: Marks where the candidates turn from publication dates to modified dates.
_MODIFIED = ParsedDate(datetime(1, 1, 1, tzinfo=timezone.utc), True)


class _PublishedDate:
    """Mixin of ``_Metadata``: the ``published`` field."""

    def _date(self, text: str) -> ParsedDate | None:
        text = (text or "").strip()
        if not text:
            return None
        parsed = parse_date(text, dayfirst=self.dayfirst)
        if parsed is None and any(ch.isdigit() for ch in text) and len(self.bad_dates) < 3:
            self.bad_dates.append(text[:80])
        return parsed

    def _published(self, root: etree._Element) -> ParsedDate | None:
        candidates = self._date_candidates(root)
        default = next(candidates, None)
        if default is _MODIFIED:
            default = next(candidates, None)
        if default is None:
            return None
        shown = dateline_days(root, self.h1, self.dayfirst)
        if not shown or default.value.date() in {s.day for s in shown}:
            return default
        datelines = [s for s in shown if not s.revision and s.distance <= DATELINE_REACH]
        nearest = {s.day for s in datelines if s.distance == datelines[0].distance} if datelines else set()
        for candidate in candidates:
            if candidate is _MODIFIED:
                break  # an update the page shows is not its publication
            if candidate.value.date() in nearest:
                return candidate
        if not default.date_only and default.value.utcoffset() == timedelta(0):
            hour = default.value.hour
            for step in (-1,) * (hour < 12) + (1,) * (hour >= 10):
                day = default.value.date() + timedelta(days=step)
                if day in nearest:
                    return ParsedDate(datetime(day.year, day.month, day.day, tzinfo=timezone.utc), date_only=True)
        return default

    def _date_candidates(self, root: etree._Element) -> Iterator[ParsedDate]:
        """Every date the page offers as its publication date, most trusted first (lazily:
        htmldate only runs when the fields before it are missing or not shown)."""
        structured = [
            _ld_text(self.article.get("datePublished")),
            *(self.metas.get(k, [""])[0] for k in _PUBLISHED_META if k in self.metas),
            str(self.parsely.get("pub_date") or ""),
            self._microdata_value("datePublished"),
            _ld_text(self.page.get("datePublished")),
            _ld_text(self.article.get("dateCreated")),
        ]
        found = False
        for value in structured:
            parsed = self._date(value)
            if parsed:
                found = True
                yield parsed
        times = root.xpath("//body//time[@datetime]")
        times.sort(key=lambda t: t.get("pubdate") is None and "publish" not in (t.get("class") or "").lower())
        for element in self._after_headline(times)[:10]:
            label = (element.get("class") or "").lower()
            if self._in_furniture(element) or "updated" in label or "modified" in label:
                continue
            parsed = self._date(element.get("datetime", ""))
            if parsed:
                found = True
                yield parsed
        if not found and self.page_text:  # htmldate is slow: only when nothing before it gave a date
            parsed = find_page_date(self.page_text, self.url)
            if parsed:
                yield parsed
        visible = root.xpath(
            "//body//*[contains(@class,'date') or contains(@class,'publish') or contains(@class,'posted')"
            " or contains(@class,'timestamp') or contains(@class,'time') or self::time]"
        )
        for element in self._after_headline(visible)[:15]:
            if self._in_furniture(element):
                continue
            text = _element_text(element, 120)
            if 6 <= len(text) <= 80 and re.search(r"\d", text):
                parsed = parse_date(text, dayfirst=self.dayfirst)
                if parsed:
                    yield parsed
        match = _URL_DATE_RE.search(self.url or "")
        if match:
            parsed = parse_date("-".join(f"{int(g):02d}" for g in match.groups()))
            if parsed:
                yield parsed
        yield _MODIFIED
        for value in (
            _ld_text(self.article.get("dateModified")),
            *(self.metas.get(k, [""])[0] for k in _UPDATED_META if k in self.metas),
        ):
            parsed = self._date(value)
            if parsed:
                yield parsed
