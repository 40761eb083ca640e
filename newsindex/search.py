"""Stage 5, search: parse a query, rank with BM25F, filter, make snippets.

The query language is Whoosh's (words, "phrases", -exclude, NOT, OR,
parentheses, wildcards, ``term~`` fuzzy) with our field names: ``title:``,
``author:``, ``source:``, ``section:`` and ``date:`` (``date:2019-03``,
``date:[2019-03-01 TO 2019-03-31]``).  Every word must match by default; when
nothing does, the query is relaxed to rank documents with most of the words
first, and the result says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from whoosh import qparser, query, scoring
from whoosh.qparser.dateparse import DateParserPlugin

from .analysis import news_analyzer
from .index import open_index
from .models import Hit, SearchResult

SNIPPET_CHARS = 220
MAX_QUERY_CHARS = 2000
SORTS = ("relevance", "newest", "oldest")


class QueryError(Exception):
    """The query cannot be understood; the message says where."""


@dataclass
class SearchOptions:
    limit: int = 10
    page: int = 1
    match: str = "all"  # "all" or "any"
    sort: str = "relevance"
    since: datetime | None = None  # inclusive, aware
    until: datetime | None = None  # exclusive upper bound, aware
    authors: Sequence[str] = ()
    sources: Sequence[str] = ()
    sections: Sequence[str] = ()
    filters_text: list[str] = field(default_factory=list)


def _parser(schema, match: str) -> qparser.QueryParser:
    group = qparser.AndGroup if match == "all" else qparser.OrGroup
    parser = qparser.MultifieldParser(["title", "body"], schema, group=group)
    parser.add_plugin(
        qparser.FieldAliasPlugin({"authors": ["author", "by"], "published": ["date"], "source": ["outlet"]})
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(DateParserPlugin(basedate=datetime.now(timezone.utc).replace(tzinfo=None)))
    return parser


def parse_query(text: str, schema, match: str = "all") -> query.Query:
    """Parse the user's query, raising ``QueryError`` with a short reason."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    if not text.strip():
        raise QueryError("empty query")
    depth = max_depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        max_depth = max(max_depth, depth)
    if max_depth > 20:
        raise QueryError("query nests parentheses too deeply (more than 20 levels)")
    try:
        parsed = _parser(schema, match).parse(text)
    except Exception as exc:
        raise QueryError(f"cannot parse query: {exc}") from None
    for node in parsed.leaves():
        if isinstance(node, query.qcore._NullQuery) and getattr(node, "error", None):
            raise QueryError(str(node.error))
        if isinstance(node, (query.Wildcard, query.Prefix)) and len(str(node.text).strip("*?")) < 2:
            raise QueryError(f"wildcard {node.text!r} is too broad: give at least two letters")
    return parsed


def _term_filter(fieldname: str, values: Sequence[str]) -> query.Query | None:
    terms = [query.Term(fieldname, v.lower()) for v in values if v.strip()]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else query.Or(terms)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def build_filter(options: SearchOptions) -> query.Query | None:
    parts: list[query.Query] = []
    if options.since or options.until:
        start = _naive_utc(options.since) if options.since else None
        end = _naive_utc(options.until) if options.until else None
        parts.append(query.DateRange("published", start, end, endexcl=True))
    for fieldname, values in (("authors", options.authors), ("source", options.sources), ("section", options.sections)):
        term_filter = _term_filter(fieldname, values)
        if term_filter is not None:
            parts.append(term_filter)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _query_words(parsed: query.Query) -> set[str]:
    words: set[str] = set()
    for fieldname, text in parsed.iter_all_terms():
        if fieldname in ("title", "body") and isinstance(text, str):
            words.add(text)
    return words


_WORD_RE = re.compile(r"\w+(?:[.\-'’]\w+)*")


@lru_cache(maxsize=50_000)
def _analyzed(word: str) -> frozenset[str]:
    return frozenset(token.text for token in news_analyzer()(word))


def make_snippet(text: str, words: set[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` with most distinct query words, and their spans.

    Words are found with a plain regex and only those sharing a three-letter
    prefix with a query term are analysed, so long articles stay cheap.
    """
    text = " ".join(text.split())
    if not text:
        return "", []
    prefixes = {word[:3] for word in words}
    matches: list[tuple[int, int, str]] = []
    for found in _WORD_RE.finditer(text):
        lowered = found.group().lower()
        if lowered[:3] not in prefixes and lowered.isascii():
            continue
        hit = _analyzed(lowered) & words
        if hit:
            matches.append((found.start(), found.end(), next(iter(hit))))
    if not matches:
        if len(text) <= width:
            return text, []
        cut = text.rfind(" ", 0, width)
        return text[: cut if cut > width // 2 else width] + " …", []
    best_start, best_score = 0, -1
    for start, _end, _word in matches:
        window_start = max(0, start - width // 4)
        inside = [w for s, e, w in matches if window_start <= s and e <= window_start + width]
        score = len(set(inside)) * 100 + len(inside)
        if score > best_score:
            best_start, best_score = window_start, score
    if best_start > 0:
        space = text.find(" ", best_start)
        if 0 <= space < best_start + 30:
            best_start = space + 1
    end = min(len(text), best_start + width)
    if end < len(text):
        space = text.rfind(" ", best_start, end)
        if space > best_start + width // 2:
            end = space
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end < len(text) else ""
    offset = len(prefix) - best_start
    spans = [(s + offset, e + offset) for s, e, _ in matches if s >= best_start and e <= end]
    return prefix + text[best_start:end] + suffix, spans


def _published(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _hit_from_stored(stored: dict, score: float, words: set[str]) -> Hit:
    meta = stored.get("meta") or {}
    snippet, spans = make_snippet(stored.get("body", ""), words)
    return Hit(
        id=stored["id"],
        short_id=stored.get("short_id", ""),
        path=stored.get("path", ""),
        title=stored.get("title", ""),
        authors=list(meta.get("authors") or []),
        published=_published(stored.get("published")),
        date_only=bool(meta.get("date_only")),
        section=meta.get("section"),
        source=meta.get("source"),
        url=stored.get("url"),
        score=round(float(score), 4),
        snippet=snippet,
        highlights=spans,
    )


def search(text: str, index_dir: str | Path, options: SearchOptions | None = None) -> SearchResult:
    """Run a query against the index in ``index_dir``."""
    options = options or SearchOptions()
    started = time.perf_counter()
    ix = open_index(Path(index_dir))
    parsed = parse_query(text, ix.schema, options.match)
    filter_query = build_filter(options)
    relaxed = False
    with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as searcher:
        results_query = parsed
        page = _run(searcher, results_query, filter_query, options)
        if page.total == 0 and options.match == "all" and _can_relax(parsed):
            results_query = _parser(ix.schema, "any").parse(text)
            page = _run(searcher, results_query, filter_query, options)
            relaxed = page.total > 0
        words = _query_words(results_query)
        hits = [_hit_from_stored(stored, score, words) for stored, score in page.items]
        undated = 0
        if options.since or options.until:
            undated = _count_undated(searcher, results_query)
    return SearchResult(
        query=text,
        hits=hits,
        total=page.total,
        seconds=time.perf_counter() - started,
        filters=list(options.filters_text),
        undated_excluded=undated,
        relaxed=relaxed,
    )


@dataclass
class _Page:
    items: list[tuple[dict, float]]
    total: int


def _run(searcher, parsed: query.Query, filter_query: query.Query | None, options: SearchOptions) -> _Page:
    sortedby = None
    reverse = False
    if options.sort == "newest":
        sortedby, reverse = "published", True
    elif options.sort == "oldest":
        sortedby = "published"
    pagenum = max(1, options.page)
    results = searcher.search_page(
        parsed, pagenum, pagelen=max(1, options.limit), filter=filter_query, sortedby=sortedby, reverse=reverse
    )
    items = [(hit.fields(), hit.score or 0.0) for hit in results]
    return _Page(items=items, total=len(results))


def _can_relax(parsed: query.Query) -> bool:
    return isinstance(parsed, query.And) and len(parsed.subqueries) > 1


def _count_undated(searcher, parsed: query.Query) -> int:
    """How many matches a date filter hid because they have no date."""
    dated = query.Every("published")
    results = searcher.search(parsed, limit=None, mask=dated)
    return len(results)


def find_by_short_id(index_dir: str | Path, handle: str) -> dict | None:
    """The stored article for a short id (or a full id / path)."""
    ix = open_index(Path(index_dir))
    with ix.searcher() as searcher:
        for fieldname in ("short_id", "id", "path"):
            stored = searcher.document(**{fieldname: handle})
            if stored:
                return stored
    return None


def stored_article(stored: dict):
    """Rebuild an ``Article`` from an index entry, for ``show``."""
    from .models import Article

    meta = stored.get("meta") or {}
    body = stored.get("body", "")
    return Article(
        id=stored["id"],
        path=stored.get("path", ""),
        title=stored.get("title", ""),
        authors=list(meta.get("authors") or []),
        published=_published(stored.get("published")),
        date_only=bool(meta.get("date_only")),
        section=meta.get("section"),
        source=meta.get("source"),
        url=stored.get("url"),
        language=None,
        body=[p for p in body.split("\n\n") if p],
        content_hash=stored.get("content_hash", ""),
    )
