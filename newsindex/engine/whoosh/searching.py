"""Searching a Whoosh index: the query parsed and expanded, filters, ranking, folding, facets,
did-you-mean; similar articles (one article by id: ``articles``).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from whoosh import query

from ...models import SearchResult
from ...query.options import GROUPS, QueryError, SearchOptions
from .articles import _find_docnum
from .feedback import expandable
from .filters import _month_clause, allowed_documents
from .parsing import _check_expansions, _date_clauses, _expand_labels, browses, parse_query
from .results import _collect, _count_similar, _facets, _hit_from_stored, _Scope
from .snippets import _query_words
from .spelling import _suggest
from .store import open_index, shared_generation
from .weighting import WEIGHTING


def _feedback_wanted(parsed: query.Query, options: SearchOptions) -> bool:
    """Whether a ranked any-query is re-ranked with feedback (feedback.py)."""
    return options.feedback and options.sort == "relevance" and expandable(parsed)


def _coordinated(parsed: query.Query, options: SearchOptions) -> bool:
    """Whether a ranked any-query's first ranking favours articles holding more of it (coordination.py)."""
    return options.sort == "relevance" and expandable(parsed)


def search(text: str, index_dir: str | Path, options: SearchOptions | None = None) -> SearchResult:
    """Run a query against the index in ``index_dir``."""
    options = options or SearchOptions()
    started = time.perf_counter()
    for name in options.group_by:
        if name not in GROUPS:
            raise QueryError(f"cannot group by {name!r} (choose from {', '.join(GROUPS)})")
    opened = shared_generation(Path(index_dir), WEIGHTING)
    searcher = opened.searcher
    remaining, date_ranges = _date_clauses(text)
    schema = searcher.schema
    parsed = _expand_labels(parse_query(remaining, schema, options.match), searcher.reader())
    _check_expansions(parsed, searcher.reader())
    if browses(parsed) and options.sort == "relevance":
        # Browsing ("*", "-football", or only filters): nothing to rank by, so newest first.
        options = replace(options, sort="newest")
    allowed = allowed_documents(searcher, options, date_ranges)
    relaxed = False
    # Browsing visits every article anyway: the month terms would only slow it
    # (and Whoosh's every-document matcher loses matches intersected with them).
    months = None if browses(parsed) else _month_clause(searcher, allowed)
    scope = _Scope(searcher, allowed, months, opened.near_duplicates())
    feedback = options.match == "any" and _feedback_wanted(parsed, options)
    coordinate = options.match == "any" and _coordinated(parsed, options)
    page, total, undated = _collect(scope, parsed, options, feedback, coordinate)
    strict_total = total
    if total == 0 and options.match == "all" and isinstance(parsed, query.And) and len(parsed.subqueries) > 1:
        # Relaxed, the query is an any-query and ranks exactly as one.
        relaxed_query = _expand_labels(parse_query(remaining, schema, "any"), searcher.reader())
        relaxed_feedback = _feedback_wanted(relaxed_query, options)
        relaxed_page, relaxed_total, relaxed_undated = _collect(
            scope, relaxed_query, options, relaxed_feedback, _coordinated(relaxed_query, options)
        )
        if relaxed_total:
            parsed, relaxed = relaxed_query, True
            page, total, undated = relaxed_page, relaxed_total, relaxed_undated
    words = _query_words(parsed)
    hits = []
    for candidate in page:
        hit = _hit_from_stored(candidate.stored, candidate.score, words)
        hit.similar = _count_similar(scope, candidate) if not options.duplicates else 0
        hits.append(hit)
    facets = _facets(searcher, parsed, allowed, options.group_by) if options.group_by else {}
    suggestion = None
    if options.suggest:
        # Against the query as typed: a relaxed result for "coffe exports"
        # is only the articles about exports.
        suggestion = _suggest(searcher, text, allowed, strict_total, options.match, lexicon=opened.words)
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


def similar(handle: str, index_dir: str | Path, limit: int = 10) -> SearchResult | None:
    """Articles most like the one with id ``handle`` ("more like this")."""
    started = time.perf_counter()
    ix = open_index(Path(index_dir))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        docnum = _find_docnum(searcher, handle)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        results = searcher.more_like(docnum, "body", text=text, top=limit, numterms=25)
        key_terms = {term for term, _ in searcher.key_terms_from_text("body", text, numterms=25)}
        hits = [_hit_from_stored(hit.fields(), hit.score or 0.0, key_terms) for hit in results]
    return SearchResult(
        query=f"similar to {stored.get('title', handle)}",
        hits=hits,
        total=len(hits),
        seconds=time.perf_counter() - started,
    )
