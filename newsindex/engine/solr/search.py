"""Searching a Solr collection with newsindex's options, into newsindex's result records.

The query language is the embedded engine's: a query is first parsed by the
same parser (so a bad query gets the same one-line error), then handed to
Solr's edismax, whose syntax for words, "phrases", -excluded, +required, OR,
NOT, parentheses, wildcards and fuzzy terms is the same; ``author:``,
``source:`` and ``section:`` are aliases for the name fields, ``date:`` clauses
become filters on the ``published`` date.  Ranking is BM25 over title (weight
2) and body with whole-collection statistics; near-duplicates fold with Solr's
collapse on the cluster id, counted by its expand component.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache

from ...models import Hit, SearchResult
from ...query.options import GROUPS, QueryError, SearchOptions
from ...query.outlets import same_outlet
from ..whoosh.parsing import _date_clauses, browses, parse_query
from ..whoosh.snippets import SNIPPET_CHARS
from .aggregates import facet_counts, outlet_labels, respelling
from .client import SolrClient
from .collection import require_collection

#: Marks Solr puts around highlighted words: private-use characters no article holds.
MARK_START, MARK_END = "\ue000", "\ue001"
HIT_FIELDS = "id,article_id,short_id,path,title,authors,published,date_only,section,source,url,cluster,score"
#: Bare "word~" means one edit in our language; Lucene's default is two.
_BARE_FUZZY_RE = re.compile(r"(?<=\w)~(?![\d.])")
_NAME_FIELDS = {"authors": "authors_lc", "source": "source_lc", "section": "section_lc"}


@lru_cache(maxsize=1)
def _schema():
    from ..whoosh.store import make_schema

    return make_schema()


def solr_date(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def phrase(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def name_filter(fieldname: str, values) -> str | None:
    """Part-of-name filters: every word of a value within one name (the gap between
    two names is wider than the slop), any of the values."""
    clauses = [f"{_NAME_FIELDS[fieldname]}:{phrase(' '.join(v.lower().split()))}~20" for v in values if v.split()]
    return " OR ".join(clauses) or None


def date_filter(ranges) -> str | None:
    """The intersection of the date windows as one range (upper bound exclusive)."""
    if not ranges:
        return None
    start = max((s for s, _ in ranges if s), default=None)
    end = min((e for _, e in ranges if e), default=None)
    return f"published:[{solr_date(start) if start else '*'} TO {solr_date(end) if end else '*'}}}"


class SolrSearch:
    """``search``, ``similar``, ``fetch`` against one collection."""

    def __init__(self, client: SolrClient) -> None:
        self.client = client

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResult:
        options = options or SearchOptions()
        started = time.perf_counter()
        for name in options.group_by:
            if name not in GROUPS:
                raise QueryError(f"cannot group by {name!r} (choose from {', '.join(GROUPS)})")
        remaining, date_ranges = _date_clauses(text)
        parsed = parse_query(remaining, _schema(), options.match)  # the same errors as the embedded engine
        if browses(parsed) and options.sort == "relevance":
            options = replace(options, sort="newest")  # "*", "-football": nothing to rank by, newest first
        require_collection(self.client)
        ranges = list(date_ranges) + ([(options.since, options.until)] if options.since or options.until else [])
        filters = self._filters(options, ranges)
        answer = self.client.select(self._params(remaining, options, filters, options.match))
        total = _total(answer)
        strict_total, relaxed = total, False
        if total == 0 and options.match == "all" and len(getattr(parsed, "subqueries", ())) > 1:
            loose = self.client.select(self._params(remaining, options, filters, "any"))
            if _total(loose):
                answer, total, relaxed = loose, _total(loose), True
        hits = self._hits(answer)
        undated = 0
        if ranges:
            undated = answer.get("facet_counts", {}).get("facet_queries", {}).get("undated", 0)
        counted = options if not relaxed else SearchOptions(**{**options.__dict__, "match": "any"})
        base = self._query(remaining, counted.match) + filters
        facets = facet_counts(self.client, base, options.group_by) if options.group_by else {}
        suggestion = None
        if options.suggest and strict_total < 3:
            suggestion = respelling(
                self.client, text, remaining, self._query(remaining, options.match) + filters, strict_total
            )
        return SearchResult(
            query=text,
            hits=hits,
            total=total,
            seconds=time.perf_counter() - started,
            filters=list(options.filters_text),
            undated_excluded=undated,
            relaxed=relaxed,
            suggestion=suggestion,
            facets=facets,
        )

    # --- the request ------------------------------------------------------------------

    def _filters(self, options: SearchOptions, ranges) -> list[tuple[str, str]]:
        filters = []
        dated = date_filter(ranges)
        if dated:
            filters.append(("fq", "{!tag=dates}" + dated))
        for fieldname, values in (
            ("authors", options.authors),
            ("source", options.sources),
            ("section", options.sections),
        ):
            clause = name_filter(fieldname, values)
            if clause and fieldname == "source":
                clause = self._same_outlets(clause, values)
            if clause:
                filters.append(("fq", clause))
        return filters

    def _same_outlets(self, clause: str, values) -> str:
        """A source filter finds an outlet by its name and by its host (``query.outlets``)."""
        labels = outlet_labels(self.client)
        wanted = [v.lower().split() for v in values if v.split()]
        matched = [label for label in labels if any(all(w in label.lower().split() for w in ws) for ws in wanted)]
        extra = [label for label in same_outlet(matched, labels) if label not in matched]
        return " OR ".join([clause, *(f"source:{phrase(label)}" for label in extra)])

    @staticmethod
    def _query(remaining: str, match: str) -> list[tuple[str, str]]:
        words = _BARE_FUZZY_RE.sub("~1", remaining).strip()
        params = [("q", words)] if words and words != "*" else [("q.alt", "*:*")]
        if match == "any":
            params += [("q.op", "OR"), ("mm", "1")]
        return params

    def _params(self, remaining: str, options: SearchOptions, filters, match: str) -> list[tuple[str, str]]:
        params = self._query(remaining, match) + list(filters)
        params += [
            ("fl", HIT_FIELDS),
            ("rows", str(options.limit)),
            ("start", str((options.page - 1) * options.limit)),
            ("hl", "true"),
            ("hl.method", "unified"),
            ("hl.fl", "body"),
            ("hl.snippets", "1"),
            ("hl.fragsize", str(SNIPPET_CHARS)),
            ("hl.tag.pre", MARK_START),
            ("hl.tag.post", MARK_END),
            ("hl.defaultSummary", "true"),
        ]
        sort = {"newest": "published desc", "oldest": "published asc"}.get(options.sort)
        if sort:
            params.append(("sort", f"{sort},score desc,id asc"))
        else:
            params.append(("sort", "score desc,id asc"))
        if options.recency_half_life:
            half_life_ms = options.recency_half_life * 86_400_000
            # As the embedded engine: a score keeps 50% plus half of 0.5 ** (age / half-life).
            decay = f"pow(0.5,div(ms(NOW,published),{half_life_ms:.0f}))"
            params.append(("boost", f"if(exists(published),sum(0.5,product(0.5,{decay})),0.5)"))
        if not options.duplicates:
            head = f" sort='{sort}'" if sort else ""
            params += [("fq", "{!collapse tag=fold field=cluster nullPolicy=expand" + head + "}"), ("expand", "true")]
            # The total counts every match, as the embedded engine's does: the fold left out.
            params += [("expand.rows", "0"), ("facet", "true"), ("facet.query", "{!ex=fold key=all}*:*")]
        if any(key == "fq" and value.startswith("{!tag=dates}") for key, value in filters):
            params += [("facet", "true"), ("facet.query", "{!ex=dates,fold key=undated}*:* -published:[* TO *]")]
        return params

    def _hits(self, answer: dict) -> list[Hit]:
        highlighting = answer.get("highlighting", {})
        expanded = answer.get("expanded", {})
        hits = []
        for doc in answer["response"]["docs"]:
            passage = (highlighting.get(doc["id"], {}).get("body") or [""])[0]
            snippet, spans = marked_snippet(passage)
            group = expanded.get(doc.get("cluster", ""), {})
            hit = Hit(
                **stored_metadata(doc),
                short_id=doc.get("short_id", ""),
                score=round(float(doc.get("score") or 0.0), 4),
                snippet=snippet,
                highlights=spans,
                similar=int(group.get("numFound", 0)),
            )
            hits.append(hit)
        return hits


def _total(answer: dict) -> int:
    """Every match, near-duplicates included (the fold's own count is of groups)."""
    counted = answer.get("facet_counts", {}).get("facet_queries", {}).get("all")
    return int(counted if counted is not None else answer["response"]["numFound"])


def parse_date(value) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def stored_metadata(doc: dict) -> dict:
    """The fields a hit and a shown article share, from a Solr document."""
    return {
        "id": doc.get("article_id", doc.get("id", "")),
        "path": doc.get("path", ""),
        "title": doc.get("title", ""),
        "authors": list(doc.get("authors") or []),
        "published": parse_date(doc.get("published")),
        "date_only": bool(doc.get("date_only")),
        "section": doc.get("section"),
        "source": doc.get("source"),
        "url": doc.get("url"),
    }


def marked_snippet(passage: str, width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A highlighted passage as plain text and the spans of its marked words, cut to about ``width``."""
    passage = " ".join(passage.split())
    text, spans = [], []
    position, start = 0, None
    for piece in re.split(f"([{MARK_START}{MARK_END}])", passage):
        if piece == MARK_START:
            start = position
        elif piece == MARK_END:
            if start is not None:
                spans.append((start, position))
            start = None
        else:
            text.append(piece)
            position += len(piece)
    plain = "".join(text)
    if len(plain) > width + 40:
        first = spans[0][0] if spans else 0
        begin = max(0, first - width // 4)
        space = plain.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 and begin else begin
        end = min(len(plain), begin + width)
        cut = plain.rfind(" ", begin, end)
        end = cut if end < len(plain) and cut > begin + width // 2 else end
        prefix = "… " if begin else ""
        suffix = " …" if end < len(plain) else ""
        shift = len(prefix) - begin
        spans = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
        plain = prefix + plain[begin:end] + suffix
    return plain, spans
