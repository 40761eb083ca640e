"""Collecting results: candidates ranked or sorted, near-duplicates folded, recency re-ranking,
facets, hits from stored fields.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from whoosh import collectors, query, sorting
from whoosh.idsets import DocIdSet

from ...query.options import GROUPS, SearchOptions
from ...query.outlets import merged_counts
from .coordination import coordinated, question_words
from .counting import ranked_matches, worth_it
from .feedback import RERANK_DEPTH, rescored
from .filters import _UNDATED, DocumentFilter, _per_reader
from .hits import _hit_from_stored  # noqa: F401 - imported from here by searching and alerts
from .matching import WordsQuery, flattened
from .parsing import _LABELLED_FIELDS
from .store import NearDuplicates, column_values

#: How many candidates are looked at to fold near-duplicates and re-rank by
#: recency, per result wanted.
CANDIDATES_PER_HIT = 3


@dataclass
class _Candidate:
    """A ranked document of the page being filled, its stored fields read when shown."""

    docnum: int
    score: float
    stored: dict = field(default_factory=dict)  # read only for the hits shown (and for recency)


def _sortedby(sort: str) -> tuple[sorting.FacetType | str | None, bool]:
    """The sort key and direction for ``--sort``; undated articles come last either way.

    An undated article holds the column's maximum, which a newest-first sort
    would put at the top: it is read as the smallest value instead.
    """
    if sort == "newest":
        return sorting.TranslateFacet(_undated_as_oldest, sorting.FieldFacet("published")), True
    if sort == "oldest":
        return "published", False
    return None, False


def _undated_as_oldest(value: int) -> int:
    return -1 if value == _UNDATED else value


@dataclass
class _Scope:
    """What one search works out once and its steps share."""

    searcher: object
    allowed: DocumentFilter | None
    months: query.Query | None  # see _month_clause
    near_duplicates: NearDuplicates


def _every_match_collector(limit: int, sortedby, reverse: bool, allowed) -> collectors.Collector:
    """A collector of the best ``limit`` that visits every match, so its count is the total.

    Whoosh's own top-N collector, even with block skipping off, swaps an OR
    or AND for a cheaper matcher every few hits once its heap is full, skipping the
    documents that could no longer reach the top: its count then falls short
    (a two-word any-query on Reuters counted 653 of 1,566 matches).
    ``replace=0`` turns the swapping off.
    """
    if sortedby is not None:
        collector = collectors.SortingCollector(sortedby, limit=limit, reverse=reverse)
    else:
        collector = collectors.TopCollector(limit, usequality=False, replace=0)
    return _SegmentFilter(collector, allowed) if allowed is not None else collector


class _SegmentFilter(collectors.FilterCollector):
    """Whoosh's filter, skipping whole segments the filter rules out by their dates
    (``DocumentFilter.may_hold``): no matcher is built there, no match visited."""

    _skipped = False

    def set_subsearcher(self, subsearcher, offset) -> None:
        self._skipped = not self.allow.may_hold(offset)
        if self._skipped:
            self.offset = offset
            return
        super().set_subsearcher(subsearcher, offset)

    def collect_matches(self) -> None:
        if not self._skipped:
            super().collect_matches()


def _collect(
    scope: _Scope, parsed, options: SearchOptions, feedback: bool = False, coordinate: bool = False
) -> tuple[list[_Candidate], int, int]:
    """The page of hits wanted (near-duplicates folded), the match total, and the undated matches.

    Up to ``CANDIDATES_PER_HIT`` times the page is fetched, so that folding
    copies of one story away still leaves a full page.  Every match is
    visited once (no block skipping), which gives the exact total in the
    same pass: cheaper than Whoosh's skipping search followed by its
    separate counting pass.  With ``feedback`` the first ``RERANK_DEPTH``
    are scored again with the words of the best of them (feedback.py).
    """
    sortedby, reverse = _sortedby(options.sort)
    wanted = options.page * options.limit
    fetch = wanted if options.duplicates and not options.recency_half_life else wanted * CANDIDATES_PER_HIT + 10
    if feedback or coordinate:
        fetch = max(fetch, RERANK_DEPTH)
    searcher, allowed = scope.searcher, scope.allowed
    tally = _UndatedTally(allowed) if allowed is not None and allowed.published is not None else allowed
    arrays = _as_arrays(searcher, parsed, allowed, fetch) if sortedby is None else None
    if arrays is not None:
        ranked, total, undated = arrays
    elif isinstance(parsed, query.Every) and sortedby is not None:
        ranked, total = _browse(searcher, tally, fetch, options.sort)
    else:
        matching = _within_months(parsed, scope.months)
        collector = _every_match_collector(fetch, sortedby, reverse, tally)
        searcher.search_with_collector(matching, collector)
        results = collector.results()
        total = len(results)
        ranked = [(hit.score or 0.0, hit.docnum) for hit in results]
    if arrays is None:
        undated = tally.undated if isinstance(tally, _UndatedTally) else 0
    if coordinate:
        ranked = coordinated(searcher, question_words(parsed), ranked)
    if feedback:
        ranked = rescored(searcher, parsed, ranked)
    candidates = [_Candidate(docnum, score) for score, docnum in ranked]
    if options.recency_half_life and options.sort == "relevance":
        for candidate in candidates:
            candidate.stored = searcher.stored_fields(candidate.docnum)
        candidates = _recency_rerank(candidates, options.recency_half_life)
    if not options.duplicates:
        candidates = scope.near_duplicates.fold(candidates, attrgetter("docnum"))
    start = (options.page - 1) * options.limit
    page = candidates[start : start + options.limit]
    for candidate in page:
        candidate.stored = candidate.stored or searcher.stored_fields(candidate.docnum)
    return page, total, undated


def _as_arrays(searcher, parsed, allowed, fetch: int):
    """The ranking and the counts of a big AND or OR of words, by arrays (counting.py), or None."""
    flat = flattened(parsed)
    if not worth_it(searcher, flat):
        return None
    return ranked_matches(searcher, flat, allowed, fetch)


def _browse(searcher, allowed, fetch: int, sort: str) -> tuple[list[tuple[float, int]], int]:
    """Every article the filters let through, by date: the first ``fetch`` and how many.

    Read straight from the publication-time column (one integer per
    document): a collector would call a matcher, a sort key and a filter per
    document, several times slower than a one-word search.
    """
    reader = searcher.reader()
    published = _per_reader(reader, "published", lambda: column_values(reader, "published"))
    documents = [docnum for docnum in _live_documents(reader) if allowed is None or docnum in allowed]
    if sort == "newest":
        chosen = heapq.nlargest(fetch, documents, key=lambda docnum: _undated_as_oldest(published[docnum]))
    else:
        chosen = heapq.nsmallest(fetch, documents, key=published.__getitem__)
    return [(0.0, docnum) for docnum in chosen], len(documents)


def _live_documents(reader) -> Iterator[int]:
    """Every document number not deleted, a segment at a time (Whoosh's own
    ``all_doc_ids`` asks about each document through the multi-segment reader)."""
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            yield from (offset + docnum for docnum in leaf.all_doc_ids())
        else:
            yield from range(offset, offset + leaf.doc_count_all())


def _within_months(parsed: query.Query, months: query.Query | None) -> query.Query:
    """The query to match: ``parsed``, narrowed to a date window's month terms
    (``filters._month_clause``) when the flat matcher takes the two together.

    Whoosh's own matchers lose matches when an AND of their tree with the
    unscored month terms is collected (``strike -football`` in a six-month
    window found 0 of 7); such queries are checked against the window by the
    filter alone, which is exact.
    """
    if months is None:
        return flattened(parsed)
    combined = flattened(query.And([parsed, months]))
    return combined if isinstance(combined, WordsQuery) else flattened(parsed)


class _UndatedTally(DocIdSet):
    """The filters of one search, counting the matches turned away only for having no date."""

    def __init__(self, allowed: DocumentFilter) -> None:
        self.allowed = allowed
        self.undated = 0

    def __contains__(self, docnum: int) -> bool:
        if docnum in self.allowed:
            return True
        if self.allowed.undated_but_allowed(docnum):
            self.undated += 1
        return False

    def may_hold(self, start: int) -> bool:
        return self.allowed.may_hold(start)

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[int]:
        return iter(self.allowed)

    def __len__(self) -> int:
        return len(self.allowed)


def _recency_rerank(candidates: list[_Candidate], half_life_days: float) -> list[_Candidate]:
    """Scale scores by age, a true half-life: an article ``half_life_days`` older
    than the newest candidate keeps 50% of its score, twice that 25%, and so on;
    an undated one counts as ten half-lives old (0.1%)."""
    dates = [c.stored.get("published") for c in candidates if c.stored.get("published")]
    if not dates:
        return candidates
    newest = max(dates)
    for candidate in candidates:
        published = candidate.stored.get("published")
        age_days = (newest - published).total_seconds() / 86400 if published else 10 * half_life_days
        candidate.score *= math.pow(0.5, age_days / half_life_days)
    return sorted(candidates, key=lambda c: c.score, reverse=True)


def _count_similar(scope: _Scope, candidate: _Candidate) -> int:
    """Near-duplicates of one hit anywhere in the index that the filters let through
    (the graph keeps up to ``dedup.MAX_NEIGHBOURS`` per article)."""
    others = scope.near_duplicates.of(candidate.docnum)
    allowed = scope.allowed
    return len(others) if allowed is None else sum(1 for docnum in others if docnum in allowed)


def _facets(searcher, parsed, allowed, group_by: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    facets: dict[str, list[tuple[str, int]]] = {}
    parsed = flattened(parsed)
    for name in group_by:
        fieldname = GROUPS[name]
        facet = sorting.FieldFacet(fieldname, allow_overlap=fieldname == "authors", maptype=sorting.Count)
        results = searcher.search(parsed, limit=1, filter=allowed, groupedby={name: facet})
        counts = results.groups(name)
        labels = _display_labels(searcher, fieldname, counts)
        merged: dict[str, int] = {}
        for key, count in counts.items():
            label = labels.get(key, str(key)) if _has_value(key) else "undated" if name in ("year", "month") else None
            if label is not None:
                merged[label] = merged.get(label, 0) + count
        if name == "source":
            merged = merged_counts(merged)  # an outlet's host counts under its name
        if name in ("year", "month"):
            facets[name] = sorted(merged.items())  # a timeline reads in order
        else:
            facets[name] = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    return facets


def _has_value(key) -> bool:
    """Whoosh reports documents without a value under None, "" or the NUMERIC maximum."""
    return key not in (None, "", b"") and str(key) != "2147483647"


def _display_labels(searcher, fieldname: str, counts: dict) -> dict:
    """Indexed labels are lower-cased; show them as the articles spell them."""
    if fieldname not in _LABELLED_FIELDS:
        return {}
    meta_key = {"authors": "authors", "source": "source", "section": "section"}[fieldname]
    labels = {}
    for key in counts:
        if not isinstance(key, str) or not key:
            continue
        docnum = next(iter(searcher.postings(fieldname, key).all_ids()), None) if key else None
        if docnum is None:
            continue
        value = (searcher.stored_fields(docnum).get("meta") or {}).get(meta_key)
        values = value if isinstance(value, list) else [value]
        labels[key] = next((v for v in values if v and v.lower().replace(",", " ") == key), key)
    return labels
