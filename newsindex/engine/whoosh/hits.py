"""What a hit and a shown article are made of, from an index entry's stored fields.

Shared by the Whoosh path (``results``, ``articles``) and the direct reader
(``direct``); it imports no Whoosh.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ...models import Article, Hit


def _published(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _stored_metadata(stored: dict) -> dict:
    """The fields a hit and a shown article share, from an index entry."""
    meta = stored.get("meta") or {}
    return {
        "id": stored["id"],
        "path": stored.get("path") or stored["id"],  # a file's one article: its id is its path
        "title": stored.get("title", ""),
        "authors": list(meta.get("authors") or []),
        "published": _published(stored.get("published")),
        "date_only": bool(meta.get("date_only")),
        "section": meta.get("section"),
        "source": meta.get("source"),
        "url": stored.get("url"),
    }


def _hit_from_stored(stored: dict, score: float, words: set[str]) -> Hit:
    from .snippets import make_snippet  # here: ``show`` builds no snippet

    snippet, spans = make_snippet(stored.get("body", ""), words)
    return Hit(
        **_stored_metadata(stored),
        short_id=stored.get("short_id", ""),
        score=round(float(score), 4),
        snippet=snippet,
        highlights=spans,
    )


def stored_article(stored: dict) -> Article:
    """Rebuild an ``Article`` from an index entry, for ``show``."""
    body = stored.get("body", "")
    return Article(
        **_stored_metadata(stored),
        language=None,
        body=[p for p in body.split("\n\n") if p],
        content_hash=stored.get("content_hash", ""),
    )
