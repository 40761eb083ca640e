"""Records from JSON, JSONL and CSV exports: their fields mapped onto an article's (data/record_fields.txt)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from ..data import data_lines
from ..dates import ParsedDate, parse_date
from ..models import Draft, RawDocument
from .bylines import field_authors
from .outlets import site_name_from_url
from .text import paragraphs_from_text


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
    if value is None or isinstance(value, bool):
        return ""  # a JSON true/false says a field is set or not, never its text ("False" is no title)
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
        from .html import html_fragment_paragraphs

        paragraphs = html_fragment_paragraphs(body)
    else:
        paragraphs = paragraphs_from_text(body.replace("\r\n", "\n").split("\n"))
    raw_date = _first(record, fields["published"])
    parsed = _parse_record_date(raw_date, dayfirst) if raw_date is not None else None
    if raw_date is not None and parsed is None:
        warnings.append(f"unparseable date: {_as_text(raw_date)[:80]!r}")
    url = _as_text(_first(record, fields["url"])).strip() or None
    source = _as_text(_first(record, fields["source"])).strip() or site_name_from_url(url)
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
