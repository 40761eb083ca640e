"""One article: ``show`` by short id, id or path, and ``similar`` (more like this)."""

from __future__ import annotations

import time

from ...models import Article, Hit, SearchResult
from ..whoosh.snippets import make_snippet
from .client import SolrClient
from .collection import require_collection
from .search import HIT_FIELDS, phrase, stored_metadata


def find(client: SolrClient, handle: str) -> dict | None:
    """The stored document for a short id, a full article id or a path."""
    require_collection(client)
    quoted = phrase(handle)
    answer = client.select(
        {
            "q": f"short_id:{quoted} OR article_id:{quoted} OR path:{quoted}",
            "defType": "lucene",
            "fl": HIT_FIELDS + ",body,content_hash,language",
            "rows": "1",
            "sort": "id asc",
        }
    )
    docs = answer["response"]["docs"]
    return docs[0] if docs else None


def article(client: SolrClient, handle: str) -> Article | None:
    doc = find(client, handle)
    if doc is None:
        return None
    body = doc.get("body", "")
    return Article(
        **stored_metadata(doc),
        language=doc.get("language"),
        body=[p for p in body.split("\n\n") if p],
        content_hash=doc.get("content_hash", ""),
    )


def similar(client: SolrClient, handle: str, limit: int = 10) -> SearchResult | None:
    """Articles most like one ("more like this" over title and body)."""
    started = time.perf_counter()
    doc = find(client, handle)
    if doc is None:
        return None
    answer = client.select(
        {
            "q": "{!mlt qf=title,body mintf=1 mindf=1 maxqt=25}" + doc["id"],
            "defType": "lucene",
            "fl": HIT_FIELDS + ",body",
            "rows": str(limit),
        }
    )
    hits = []
    for found in answer["response"]["docs"]:
        snippet, spans = make_snippet(found.get("body", ""), set())
        hits.append(
            Hit(
                **stored_metadata(found),
                short_id=found.get("short_id", ""),
                score=round(float(found.get("score") or 0.0), 4),
                snippet=snippet,
                highlights=spans,
            )
        )
    return SearchResult(
        query=f"similar to {doc.get('title') or handle}",
        hits=hits,
        total=len(hits),
        seconds=time.perf_counter() - started,
    )
