"""Counting and respelling for a search: facets (``--group-by``) and did-you-mean."""

from __future__ import annotations

import json
import re

from ...query.outlets import merged_counts
from .client import SolrClient

#: Date facets are counted over whole months or years between the first and last match.
_GAPS = {"year": "+1YEAR", "month": "+1MONTH"}


def _json(value: dict) -> str:
    return json.dumps(value)


def facet_counts(client: SolrClient, base: list, group_by) -> dict[str, list[tuple[str, int]]]:
    """Counts of every match of ``base`` (query and filters; near-duplicates included, as
    the embedded engine counts them) per outlet, author, section, year or month."""
    request: dict[str, dict] = {}
    for name in group_by:
        if name in ("source", "author", "section"):
            field = {"author": "authors"}.get(name, name)
            request[name] = {"type": "terms", "field": field, "limit": -1, "mincount": 1}
    dated = [name for name in group_by if name in _GAPS]
    if dated:
        request["undated"] = {"type": "query", "q": "*:* -published:[* TO *]"}
        request["first"], request["last"] = "min(published)", "max(published)"
    base = [*base, ("rows", "0")]
    answer = client.select([*base, ("json.facet", _json(request))])["facets"]
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in group_by:
        if name in request:
            buckets = answer.get(name, {}).get("buckets", [])
            counts = sorted(((b["val"], b["count"]) for b in buckets), key=lambda item: (-item[1], item[0]))
            facets[name] = list(merged_counts(dict(counts)).items()) if name == "source" else counts
    if dated:
        ranges = {}
        if answer.get("first"):
            first, last = answer["first"], answer["last"]
            for name in dated:
                unit = "YEAR" if name == "year" else "MONTH"
                ranges[name] = {
                    "type": "range",
                    "field": "published",
                    "start": f"{first}/{unit}",
                    "end": f"{last}/{unit}+1{unit}",
                    "gap": _GAPS[name],
                    "mincount": 1,
                }
            counted = client.select([*base, ("json.facet", _json(ranges))])["facets"]
        undated = answer.get("undated", {}).get("count", 0)
        for name in dated:
            width = 4 if name == "year" else 7
            buckets = counted.get(name, {}).get("buckets", []) if ranges else []
            rows = [(b["val"][:width], b["count"]) for b in buckets]
            facets[name] = rows + ([("undated", undated)] if undated else [])
    return facets


def outlet_labels(client: SolrClient) -> list[str]:
    """Every outlet label the collection holds (for ``query.outlets``)."""
    request = {"sources": {"type": "terms", "field": "source", "limit": -1}}
    answer = client.select({"q": "*:*", "defType": "lucene", "rows": "0", "json.facet": _json(request)})
    return [bucket["val"] for bucket in answer.get("facets", {}).get("sources", {}).get("buckets", [])]


def respelling(client: SolrClient, text: str, remaining: str, base: list, total: int) -> str | None:
    """A respelt query that finds more than ``total`` articles (Solr's spellcheck collation)."""
    if not remaining.strip():
        return None
    params = [
        *base,
        ("rows", "0"),
        ("spellcheck", "true"),
        ("spellcheck.q", remaining),
        ("spellcheck.collate", "true"),
        ("spellcheck.maxCollationTries", "5"),
        ("spellcheck.collateExtendedResults", "true"),
        ("spellcheck.count", "5"),
    ]
    collations = client.select(params).get("spellcheck", {}).get("collations", [])
    for position in range(0, len(collations) - 1, 2):
        if collations[position] != "collation" or not isinstance(collations[position + 1], dict):
            continue
        found = collations[position + 1]
        if found.get("hits", 0) <= total:
            continue
        changed = text
        pairs = found.get("misspellingsAndCorrections", [])
        for index in range(0, len(pairs) - 1, 2):
            wrong, right = pairs[index], pairs[index + 1]
            changed = re.sub(rf"(?i)\b{re.escape(wrong)}\b", right, changed, count=1)
        if changed != text:
            return changed
    return None
