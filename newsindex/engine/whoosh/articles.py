"""One stored article: found by short id, full id or path, and rebuilt as an ``Article``.

Apart from the search code, so that ``show`` imports only this and the store: the
fields a hit and a shown article share are read here for both.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from ...models import Article
from .store import open_index


def _published(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _stored_metadata(stored: dict) -> dict:
    """The fields a hit and a shown article share, from an index entry."""
    meta = stored.get("meta") or {}
    return {
        "id": stored["id"],
        "path": stored.get("path", ""),
        "title": stored.get("title", ""),
        "authors": list(meta.get("authors") or []),
        "published": _published(stored.get("published")),
        "date_only": bool(meta.get("date_only")),
        "section": meta.get("section"),
        "source": meta.get("source"),
        "url": stored.get("url"),
    }


def _find_docnum(searcher, handle: str) -> int | None:
    for fieldname in ("short_id", "id", "path"):
        docnum = searcher.document_number(**{fieldname: handle})
        if docnum is not None:
            return docnum
    absolute = os.path.abspath(handle)  # as indexing stores a path given relative to the current directory
    if absolute != handle:
        for fieldname in ("id", "path"):
            docnum = searcher.document_number(**{fieldname: absolute})
            if docnum is not None:
                return docnum
    return None


def find_by_short_id(index_dir: str | Path, handle: str) -> dict | None:
    """The stored article for a short id (or a full id, or a path)."""
    ix = open_index(Path(index_dir))
    with ix.searcher() as searcher:
        docnum = _find_docnum(searcher, handle)
        return searcher.stored_fields(docnum) if docnum is not None else None


def stored_article(stored: dict) -> Article:
    """Rebuild an ``Article`` from an index entry, for ``show``."""
    body = stored.get("body", "")
    return Article(
        **_stored_metadata(stored),
        language=None,
        body=[p for p in body.split("\n\n") if p],
        content_hash=stored.get("content_hash", ""),
    )
