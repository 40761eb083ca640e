"""The Solr engine: newsindex's index in a SolrCloud collection, for archives beyond one machine.

One object per cluster URL (``--solr http://HOST:PORT/solr[/COLLECTION]``) with
the operations the command line needs: ``index``, ``search``, ``article``
(``show``), ``similar`` and ``stats``.  They take and return the same records
as the embedded engine (``IndexReport``, ``SearchResult``, ``Article``, the
stats dict), so rendering is shared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence

from ...ingest import IngestOptions
from ...models import Article, SearchResult
from ...query.options import SearchOptions
from ...query.outlets import merged_counts
from .articles import article, similar
from .client import SolrClient, SolrProblem
from .collection import require_collection
from .feed import SolrIndexer
from .search import SolrSearch

__all__ = ["SolrEngine", "SolrProblem"]


class SolrEngine:
    """newsindex's operations on one SolrCloud collection."""

    name = "solr"

    def __init__(
        self, location: str | None = None, shards: int = 2, replicas: int = 1, workers: int | None = None
    ) -> None:
        """``location``: the cluster's URL.  ``shards`` and ``replicas`` shape a collection
        this engine creates; ``workers`` is accepted for the common interface (this engine
        reads files in one process and lets the cluster's nodes share the indexing)."""
        if not location:
            raise SolrProblem("the Solr engine needs the cluster's URL (--solr http://HOST:PORT/solr)")
        self.client = SolrClient(str(location))
        self._search = SolrSearch(self.client)
        self.shards, self.replicas = shards, replicas

    def close(self) -> None:
        self.client.close()

    def index(
        self,
        paths: Sequence[str | os.PathLike[str]],
        options: IngestOptions | None = None,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ):
        """Index ``paths`` (incrementally); the collection is created when missing."""
        indexer = SolrIndexer(self.client, options, progress, shards=self.shards, replicas=self.replicas)
        return indexer.run(paths, rebuild=rebuild)

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResult:
        return self._search.search(text, options)

    def article(self, handle: str) -> Article | None:
        return article(self.client, handle)

    def similar(self, handle: str, limit: int = 10) -> SearchResult | None:
        return similar(self.client, handle, limit)

    def stats(self) -> dict:
        """The same summary as the embedded engine's ``index_stats``."""
        require_collection(self.client)
        facets = {
            "sources": {"type": "terms", "field": "source", "limit": -1, "missing": True},
            "authors": {"type": "terms", "field": "authors", "limit": -1},
            "first": "min(published)",
            "last": "max(published)",
            "undated": {"type": "query", "q": "*:* -published:[* TO *]"},
        }
        answer = self.client.select({"q": "*:*", "defType": "lucene", "rows": "0", "json.facet": json.dumps(facets)})
        found = answer.get("facets", {})
        documents = answer["response"]["numFound"]
        sources = {b["val"]: b["count"] for b in found.get("sources", {}).get("buckets", [])}
        unknown = found.get("sources", {}).get("missing", {}).get("count", 0)
        if unknown:
            sources["(unknown)"] = unknown
        years: dict[str, int] = {}
        months: dict[str, int] = {}
        if found.get("first"):
            ranges = {
                name: {
                    "type": "range",
                    "field": "published",
                    "start": f"{found['first']}/{unit}",
                    "end": f"{found['last']}/{unit}+1{unit}",
                    "gap": f"+1{unit}",
                    "mincount": 1,
                }
                for name, unit in (("years", "YEAR"), ("months", "MONTH"))
            }
            counted = self.client.select(
                {"q": "*:*", "defType": "lucene", "rows": "0", "json.facet": json.dumps(ranges)}
            ).get("facets", {})
            years = {b["val"][:4]: b["count"] for b in counted.get("years", {}).get("buckets", [])}
            months = {b["val"][:7]: b["count"] for b in counted.get("months", {}).get("buckets", [])}
        return {
            "index": f"{self.client.url} (collection {self.client.collection})",
            "generation": self.client.collection,
            "documents": documents,
            "undated": found.get("undated", {}).get("count", 0),
            "first": found["first"][:10] if found.get("first") else None,
            "last": found["last"][:10] if found.get("last") else None,
            "sources": merged_counts(sources),  # an outlet's host counts under its name
            "authors": {b["val"]: b["count"] for b in found.get("authors", {}).get("buckets", [])},
            "years": years,
            "months": months,
            "size_bytes": self._size_bytes(),
        }

    def _size_bytes(self) -> int:
        """Disk used by the collection's cores (every replica), as each live node reports it."""
        total = 0
        for node in list(self.client.nodes):
            try:
                status = self.client.ask_node(node, "admin/cores", {"action": "STATUS"})
            except SolrProblem:
                continue  # a node that is down holds nothing searchable now
            for core in status.get("status", {}).values():
                if core.get("cloud", {}).get("collection") == self.client.collection:
                    total += int(core.get("index", {}).get("sizeInBytes", 0))
        return total
