"""The searches most people type, answered by the direct reader, exactly as the Whoosh path would.

What this path takes (``plain_words``, decided before Whoosh is imported): a
query of plain words (letters and digits), every word required (``--match
all``), ranked by relevance, with or without a date window, near-duplicates
folded or listed, any page.  Anything else raises ``DirectUnsupported`` and
goes to the Whoosh path, and so does a search whose answer needs more than
this path knows: nothing matched (the Whoosh path relaxes the query and looks
for respellings), or a respelling that is not plain words.  Did-you-mean for a
rare word is ``spelling``'s, done here.

It follows the Whoosh path step by step (``searching.search``,
``results._collect``, ``matching.WordsMatcher``): the same matches (deleted
documents left out), every one visited so the total is exact, scored by
``bm25`` with Whoosh's statistics, added up in the same order, ranked by
score then document number, ``CANDIDATES_PER_HIT`` times the page fetched
and near-duplicates folded, the same hits.  tests/test_direct_reader.py
holds the two paths to the same result on random queries.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime, timezone
from heapq import nsmallest
from operator import itemgetter
from pathlib import Path

from ....models import SearchResult
from ....query.options import SearchOptions
from .. import bm25
from ..hits import _hit_from_stored
from ..tokens import _analyse_word
from . import DirectUnsupported
from .postings import postings
from .reader import UNDATED, Generation, Segment, open_generation
from .spelling import respelt

#: A query of plain words: letters and digits, whitespace between them (as ``parsing``).
PLAIN_WORDS_RE = re.compile(r"\s*[^\W_]+(?:\s+[^\W_]+)*\s*")
#: Words Whoosh's parser reads as operators (upper case only).
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
#: As ``parsing.MAX_QUERY_CHARS`` and ``MAX_QUERY_TERMS``: past them the Whoosh path says so.
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 200
#: Postings (title and body, every term) past which a search goes to the Whoosh path: decoding
#: a posting list into Python lists here costs about what Whoosh's own matchers do per posting,
#: and there ``counting`` (the scale work) ranks and counts long lists as arrays, from this
#: many postings on.  A search of a 20,841-article archive stays well below it but for a word
#: in most articles ("said": 15,435 articles).
MAX_POSTINGS = 20_000
#: ... and past this in a process that has Whoosh's reading side and numpy loaded already (a
#: program searching many times, the library in a notebook): nothing left to import, the arrays
#: are cheaper from here on (at 200,000 articles, no window: "common", 15,554 matches, 64 ms
#: here, 13 ms there; load 14, CPU).
MAX_POSTINGS_LOADED = 2_000
#: As ``results.CANDIDATES_PER_HIT``.
CANDIDATES_PER_HIT = 3
_FIELDS = ("title", "body")
_EPOCH = datetime(1, 1, 1)


def plain_words(text: str, options: SearchOptions) -> list[str] | None:
    """The query's words when this path takes the search, else None (the Whoosh path)."""
    if (
        options.match != "all"
        or options.sort != "relevance"
        or options.group_by
        or options.recency_half_life
        or options.authors
        or options.sources
        or options.sections
        or len(text) > MAX_QUERY_CHARS
        or not PLAIN_WORDS_RE.fullmatch(text)
    ):
        return None
    words = text.split()
    if OPERATORS.intersection(words):
        return None
    return words


def _column_time(value: datetime) -> int:
    """``published``'s column value of an aware time: microseconds since ``datetime.min``, UTC."""
    naive = value.astimezone(timezone.utc).replace(tzinfo=None)
    return (naive - _EPOCH) // _MICROSECOND


_MICROSECOND = datetime(1, 1, 1, 0, 0, 0, 1) - _EPOCH


class _Window:
    """The date window of a search, as ``filters.DocumentFilter`` tests it; counts the matches
    kept out only for having no date."""

    def __init__(self, published, low: int, high: int) -> None:
        self.published = published
        self.low = low
        self.high = high
        self.undated = 0

    def admits(self, docnum: int) -> bool:
        value = self.published[docnum]
        if self.low <= value < self.high:
            return True
        if value == UNDATED:
            self.undated += 1
        return False

    def may_hold(self, segment: Segment) -> bool:
        values = self.published[segment.offset : segment.offset + segment.documents]
        return not values or UNDATED in values or (min(values) < self.high and max(values) >= self.low)


def _window(generation: Generation, options: SearchOptions) -> _Window | None:
    if not (options.since or options.until):
        return None
    low = _column_time(options.since) if options.since else 0
    high = _column_time(options.until) if options.until else UNDATED
    return _Window(generation.published(), low, high)


class _Scorer:
    """BM25 of one term in one field, with the whole generation's statistics (``weighting``)."""

    def __init__(self, generation: Generation, fieldname: str, frequency: int, repeats: int = 1) -> None:
        self.fieldname = fieldname
        self.repeats = float(repeats)  # a word typed twice counts twice (``parsing._weighted_by_repeats``)
        self.idf = bm25.idf(generation.doc_count_all, frequency)
        self.avgfl = generation.field_length(fieldname) / (generation.doc_count_all or 1) or 1
        self.scale = bm25.TITLE_WEIGHT / bm25.TITLE_FIELD_BOOST if fieldname == "title" else 1.0

    def score(self, segment: Segment, docnum: int, weight: float) -> float:
        length = segment.field_length(docnum, self.fieldname)
        if length is None:
            raise DirectUnsupported("a matching document without a field length")
        return bm25.bm25(self.idf, weight * self.scale, length, self.avgfl, bm25.B, bm25.K1) * self.repeats


def _encoded(term: str) -> bytes:
    try:
        return term.encode("utf-8")
    except UnicodeEncodeError:
        raise DirectUnsupported("a term that is not UTF-8") from None


def _matches(
    generation: Generation, terms: list[str], window: _Window | None, repeats: dict[str, int] | None = None
) -> tuple[list[tuple[float, int]], int]:
    """Every match that the window lets through, as (score, document number), and how many;
    ``repeats`` says how often each term was typed (once when not given)."""
    scorers = {}
    postings_held = 0
    for term in terms:
        encoded = _encoded(term)
        for fieldname in _FIELDS:
            frequency = 0
            for segment in generation.segments:
                info = segment.term_info(fieldname, encoded)
                frequency += info.doc_frequency if info is not None else 0
            scorers[fieldname, term] = _Scorer(generation, fieldname, frequency, repeats.get(term, 1) if repeats else 1)
            postings_held += frequency
    loaded = "whoosh.reading" in sys.modules and "numpy" in sys.modules
    if postings_held > (MAX_POSTINGS_LOADED if loaded else MAX_POSTINGS):
        raise DirectUnsupported("long posting lists: the Whoosh path counts them as arrays")
    ranked: list[tuple[float, int]] = []
    for segment in generation.segments:
        if window is not None and not window.may_hold(segment):
            continue
        ranked.extend(_segment_matches(segment, terms, scorers, window))
    return ranked, len(ranked)


def _segment_matches(segment: Segment, terms: list[str], scorers: dict, window: _Window | None):
    """One segment's matches: every term in title or body, as ``WordsMatcher`` (several terms)
    or ``AnyTermMatcher`` (one) finds and scores them."""
    clauses = []
    for term in terms:
        leaves = []
        for fieldname in _FIELDS:
            info = segment.term_info(fieldname, _encoded(term))
            if info is None:
                continue
            ids, weights = postings(info, segment.postfile)
            leaves.append((scorers[fieldname, term], dict(zip(ids, weights, strict=True)), info.doc_frequency))
        if not leaves:
            return
        clauses.append(leaves)
    if len(clauses) > 1:  # WordsMatcher takes the rarest word first (by this segment's counts)
        clauses.sort(key=lambda leaves: sum(frequency for _scorer, _postings, frequency in leaves))
    leaves = [leaf for clause in clauses for leaf in clause]
    matched = set().union(*(postings for _scorer, postings, _frequency in clauses[0]))
    for clause in clauses[1:]:
        matched.intersection_update(set().union(*(postings for _scorer, postings, _frequency in clause)))
    matched.difference_update(segment.deleted)
    offset = segment.offset
    for docnum in sorted(matched):
        if window is not None and not window.admits(offset + docnum):
            continue
        score = sum(
            scorer.score(segment, docnum, held[docnum]) for scorer, held, _frequency in leaves if docnum in held
        )
        yield score, offset + docnum


def _suggestion(generation: Generation, text: str, options: SearchOptions, total: int) -> str | None:
    """``spelling._suggest``: the respelt query when it finds more than ``total`` articles."""
    changed = respelt(generation, text, total)
    if changed is None:
        return None
    words = plain_words(changed, options)
    if words is None:
        raise DirectUnsupported("a respelling that is not plain words: did-you-mean is the Whoosh path's")
    terms = list(dict.fromkeys(term for word in words for term in _analyse_word(word)))
    if not terms:
        return None
    _ranked, found = _matches(generation, terms, _window(generation, options))
    return changed if found > total else None


def search(text: str, index_dir: str | Path, options: SearchOptions) -> SearchResult:
    """``searching.search`` for a query ``plain_words`` takes; raises ``DirectUnsupported``
    when the Whoosh path has to answer."""
    started = time.perf_counter()
    words = plain_words(text, options)
    if words is None:
        raise DirectUnsupported("not a search of plain words with every word required")
    typed = [term for word in words for term in _analyse_word(word)]
    repeats = {term: typed.count(term) for term in dict.fromkeys(typed)}
    terms = list(repeats)
    if not terms or len(terms) > MAX_QUERY_TERMS:
        raise DirectUnsupported("no word to look up, or too many")
    generation = open_generation(Path(index_dir))
    window = _window(generation, options)
    ranked, total = _matches(generation, terms, window, repeats)
    if not total:
        raise DirectUnsupported("nothing matched: relaxing and did-you-mean are the Whoosh path's")
    suggestion = _suggestion(generation, text, options, total) if options.suggest else None
    wanted = options.page * options.limit
    fetch = wanted if options.duplicates else wanted * CANDIDATES_PER_HIT + 10
    candidates = [(docnum, score) for score, docnum in nsmallest(fetch, ranked, key=lambda hit: (-hit[0], hit[1]))]
    near_duplicates = generation.near_duplicates()
    if not options.duplicates:
        candidates = near_duplicates.fold(candidates, itemgetter(0))
    start = (options.page - 1) * options.limit
    query_words = set(terms)
    hits = []
    for docnum, score in candidates[start : start + options.limit]:
        hit = _hit_from_stored(generation.stored_fields(docnum), score, query_words)
        if not options.duplicates:
            others = near_duplicates.of(docnum)
            hit.similar = len(others) if window is None else sum(1 for other in others if _in_window(window, other))
        hits.append(hit)
    return SearchResult(
        query=text,
        hits=hits,
        total=total,
        seconds=time.perf_counter() - started,
        filters=list(options.filters_text),
        undated_excluded=window.undated if window is not None else 0,
        suggestion=suggestion,
    )


def _in_window(window: _Window, docnum: int) -> bool:
    return window.low <= window.published[docnum] < window.high
