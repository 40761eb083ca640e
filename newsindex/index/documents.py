"""An article as the index stores it: its record (the manifest's and the workers' currency) and its document fields."""

from __future__ import annotations

from datetime import datetime, timezone

from ..engine.whoosh.store import (
    UNDATED_MONTH,
    short_id,
)
from ..models import Article

_FAST_TEXT = frozenset({"title", "body"})


def article_record(article: Article, text: str, sketch: bytes) -> dict:
    """An article's document as the worker builds it: its stored fields, from which everything
    indexed derives, and its packed sketch (``dedup.packed_sketch``; a column only: the index
    does not store it).  ``text`` is ``article.text``, joined once by the worker, which
    sketched it."""
    published = article.published.astimezone(timezone.utc).replace(tzinfo=None) if article.published else None
    return {
        "id": article.id,
        "short_id": short_id(article.id),
        "path": article.path,
        "url": article.url,
        "title": article.title,
        "body": text,
        "meta": {
            "authors": article.authors,
            "source": article.source,
            "section": article.section,
            "date_only": article.date_only,
        },
        "content_hash": article.content_hash,
        "sketch": sketch,
        "published": published,
    }


def document_fields(stored: dict) -> dict:
    """``add_document`` values for a record (so a document can be rebuilt from the index alone:
    its stored fields and the packed sketch from its column)."""
    meta = stored.get("meta") or {}
    fields = {
        name: stored.get(name)
        for name in ("id", "short_id", "path", "paths", "url", "title", "body", "meta", "content_hash", "published")
    }
    fields["authors"] = ",".join(a.replace(",", " ") for a in meta.get("authors") or [])
    fields["source"] = (meta.get("source") or "").replace(",", " ")
    fields["section"] = (meta.get("section") or "").replace(",", " ")
    fields["sketch"] = stored.get("sketch")
    published = stored.get("published")
    if isinstance(published, datetime):
        fields["published"] = published  # stored and in its column, not indexed (``make_schema``)
        fields["year"] = published.year
        fields["month"] = f"{published.year:04d}-{published.month:02d}"
    else:
        fields["month"] = UNDATED_MONTH  # so a date-filtered search can count undated matches cheaply
    if fields.get("path") == fields.get("id"):
        # A file's one article: its id is its path.  Neither indexed nor stored a second time
        # (a term per article was a tenth of the index): ``show PATH`` finds it by its id, and a
        # hit's path is read back from its id (``hits``).
        del fields["path"]
    return {name: value for name, value in fields.items() if value is not None}
